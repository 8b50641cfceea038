/*
 * Categories of Salesforce logins: people (browsers, mobile apps), installed
 * tools, system integrations, other. The rules are data (data/salesforce-rules.tsv,
 * compiled in as sf_rules_default; --rules FILE adds rules that come first).
 * Format and fields: see the head of the .tsv file.
 */
#ifndef TR_ANALYZE_SF_RULES_H
#define TR_ANALYZE_SF_RULES_H

#include <stddef.h>

#include "analyze/observation.h"
#include "util/error.h"

enum sf_category { SF_CAT_PEOPLE = 0, SF_CAT_TOOLS, SF_CAT_INTEGRATIONS, SF_CAT_OTHER, SF_CAT_COUNT };

/* "people", "tools", "integrations", "other" (for agg_config.category_names). */
extern const char *const sf_category_names[SF_CAT_COUNT];
/* Longer descriptions for the terminal. */
extern const char *const sf_category_titles[SF_CAT_COUNT];

/* The shipped rules: the text of data/salesforce-rules.tsv (generated file). */
extern const char sf_rules_default[];

struct sf_rules;

/* An empty rule set. */
struct sf_rules *sf_rules_new(void);
void sf_rules_free(struct sf_rules *r);
/* Appends the rules in `text` (named `origin` in messages); -1 with err naming origin:line. */
int sf_rules_add_text(struct sf_rules *r, const char *text, size_t len, const char *origin, struct tr_error *err);
/* Appends the rules of a file. */
int sf_rules_add_file(struct sf_rules *r, const char *path, struct tr_error *err);
size_t sf_rules_count(const struct sf_rules *r);

/*
 * The category of a login: the first rule whose conditions all hold, else
 * SF_CAT_OTHER. `login_subtype` is Salesforce's LoginSubType (not part of an
 * observation); NULL when not known.
 */
int sf_rules_classify(const struct sf_rules *r, const struct observation *o, const char *login_subtype);

/*
 * A per-thread classifier with a memo of recent answers (the same few client
 * descriptions repeat millions of times). classify_login() is an
 * agg_classify_fn whose observation must be the first member of a struct sf_login.
 */
struct sf_classifier;
struct sf_classifier *sf_classifier_new(const struct sf_rules *r);
void sf_classifier_free(struct sf_classifier *c);
int sf_classify_login(void *classifier, const struct observation *o);

#endif
