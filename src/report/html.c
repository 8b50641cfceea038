/* HTML building blocks: see html.h. */
#include "report/html.h"

#include <string.h>

void html_escape_n(struct tr_buf *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t run = 0, i = 0;
    while (i < n) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
                rep = "\xef\xbf\xbd";
        }
        if (rep) {
            tr_buf_push(out, s + i - run, run);
            run = 0;
            tr_buf_puts(out, rep);
        } else {
            run++;
        }
        i++;
    }
    tr_buf_push(out, s + i - run, run);
}

void html_escape(struct tr_buf *out, const char *s)
{
    if (s)
        html_escape_n(out, s, strlen(s));
}

void html_table_begin(struct tr_buf *out, const char *id, const char *const *headers, size_t n, int filter)
{
    if (filter) {
        tr_buf_puts(out, "<input class=\"filter\" type=\"search\" placeholder=\"filter rows\" data-filter-for=\"");
        html_escape(out, id);
        tr_buf_puts(out, "\">\n");
    }
    tr_buf_puts(out, "<table class=\"data\" data-sortable id=\"");
    html_escape(out, id);
    tr_buf_puts(out, "\"><thead><tr>");
    for (size_t i = 0; i < n; i++) {
        tr_buf_puts(out, "<th>");
        html_escape(out, headers[i]);
        tr_buf_puts(out, "</th>");
    }
    tr_buf_puts(out, "</tr></thead><tbody>\n");
}

void html_table_end(struct tr_buf *out) { tr_buf_puts(out, "</tbody></table>\n"); }

void html_td(struct tr_buf *out, const char *text, const char *cls)
{
    if (cls) {
        tr_buf_puts(out, "<td class=\"");
        html_escape(out, cls);
        tr_buf_puts(out, "\">");
    } else {
        tr_buf_puts(out, "<td>");
    }
    html_escape(out, text ? text : "");
    tr_buf_puts(out, "</td>");
}

void html_td_num(struct tr_buf *out, unsigned long long v, const char *cls)
{
    tr_buf_printf(out, "<td class=\"num%s%s\" data-v=\"%llu\">%llu</td>", cls ? " " : "", cls ? cls : "", v, v);
}

const char *html_table_script(void)
{
    /* Sorting compares data-v when both cells have it, else the text; filtering
     * hides rows whose text does not contain every word typed. */
    return "document.querySelectorAll('table[data-sortable]').forEach(function(t){\n"
           "  t.querySelectorAll('th').forEach(function(th,i){\n"
           "    th.addEventListener('click',function(){\n"
           "      var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows),asc=th.dataset.dir!=='asc';\n"
           "      t.querySelectorAll('th').forEach(function(h){delete h.dataset.dir;});th.dataset.dir=asc?'asc':'desc';\n"
           "      rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i];if(!x||!y)return 0;\n"
           "        var r=(x.dataset.v!==undefined&&y.dataset.v!==undefined)?(+x.dataset.v)-(+y.dataset.v):\n"
           "          x.textContent.localeCompare(y.textContent);return asc?r:-r;});\n"
           "      rows.forEach(function(r){tb.appendChild(r);});});});});\n"
           "document.querySelectorAll('input[data-filter-for]').forEach(function(inp){\n"
           "  inp.addEventListener('input',function(){var t=document.getElementById(inp.dataset.filterFor);\n"
           "    var words=inp.value.toLowerCase().split(/\\s+/).filter(Boolean);\n"
           "    Array.prototype.forEach.call(t.tBodies[0].rows,function(r){var s=r.textContent.toLowerCase();\n"
           "      r.style.display=words.every(function(w){return s.indexOf(w)>=0;})?'':'none';});});});\n";
}
