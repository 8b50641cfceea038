/*
 * Reading an org's source: a directory tree in SFDX source format
 * (sfdx-project.json, force-app/main/default/..., *-meta.xml) or Metadata API
 * format (package.xml, classes/X.cls, remoteSiteSettings/X.remoteSite, ...),
 * or a .zip retrieved through the Metadata API, read in place (entries are
 * decompressed into memory one at a time, never extracted to disk).
 *
 * Files are recognised by suffix wherever they sit (SFDX package directories
 * are not always force-app/), so both layouts are one walk. Ownership: a
 * directory whose package.xml carries <namespacePrefix> belongs to that
 * package with everything under it; otherwise a file whose name has an `ns__`
 * prefix belongs to namespace ns; everything else is the org's own.
 */
#ifndef TR_METADATA_MD_WALK_H
#define TR_METADATA_MD_WALK_H

#include "metadata/md_org.h"
#include "util/error.h"

/* Largest Apex file read (Apex limits a class to 1,000,000 characters; leave room). */
#define MD_APEX_MAX_BYTES (8u * 1024 * 1024)

/* Reads `path` (directory, .zip, or one file) into o. Unreadable files are
 * diagnostics in o; returns -1 with err only when `path` itself cannot be read
 * or memory runs out. */
int md_read_path(struct md_org *o, const char *path, struct tr_error *err);

#endif
