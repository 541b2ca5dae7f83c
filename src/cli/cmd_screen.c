/*
 * `limen screen`: loads alerts (FtM JSON Lines) into an index and screens
 * queries against it: a JSONL file of query entities (one JSON line out per
 * query, in input order) or one person typed on the command line (a table).
 */
#include "cli.h"
#include "limen/limen.h"
#include "limen/mrz.h"
#include "limen/paxlst.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: limen screen --alerts ALERTS.jsonl --queries QUERIES.jsonl [options]\n"
            "       limen screen --alerts ALERTS.jsonl --name NAME [--birth-date DATE]\n"
            "                    [--nationality CC] [--gender G] [--passport NUMBER] [options]\n"
            "       limen screen --alerts ALERTS.jsonl --mrz MRZ [options]\n"
            "       limen screen --alerts ALERTS.jsonl --paxlst MANIFEST [options]\n"
            "       (--index FILE.limen in place of --alerts: a saved index, see limen index)\n"
            "\n"
            "Screens travellers against alerts. ALERTS and QUERIES are FollowTheMoney\n"
            "entities, one JSON object per line (\"-\" reads standard input). With --queries,\n"
            "writes one JSON line per query, in input order:\n"
            "  {\"query\": ID, \"results\": [{\"id\": ALERT, \"score\": 0.93, \"match\": true,\n"
            "                              \"explanation\": {...}}]}\n"
            "With --name or --mrz, prints a table for people.\n"
            "\n"
            "options:\n"
            "  --alerts FILE        alerts to screen against (this or --index is required)\n"
            "  --index FILE         a saved index (limen index build), loaded in seconds\n"
            "  --threads N          screen --queries on N threads (default 1); the output\n"
            "                       is the same, in the same order\n"
            "  --queries FILE       queries, one FtM entity per line\n"
            "  --name NAME          screen one person by name (any script)\n"
            "  --birth-date DATE    1985-03-14, 1985-03 or 1985\n"
            "  --nationality CC     ISO 3166 code or country name\n"
            "  --gender G           male, female or other\n"
            "  --passport NUMBER    travel document number\n"
            "  --mrz MRZ            screen the holder and the document of an ICAO 9303\n"
            "                       machine-readable zone (lines joined or separated by\n"
            "                       newlines); check-digit failures are reported\n"
            "  --paxlst FILE        screen every traveller of a UN/EDIFACT PAXLST passenger\n"
            "                       or crew list (persons and their documents); writes one\n"
            "                       JSON line per traveller, in manifest order:\n"
            "                         {\"query\": \"paxlst-N\", \"traveller\": {...},\n"
            "                          \"verdict\": \"match\"|\"no_match\"|\"not_screened\",\n"
            "                          \"results\": [...]}\n"
            "                       then one {\"summary\": {...}} line with the counts read\n"
            "                       and declared; parser warnings and progress on stderr\n"
            "  --limit N            at most N results per query (default 5)\n"
            "  --threshold T        match when score >= T (default %.2f)\n"
            "  --keep-going         report bad input lines as warnings and go on\n"
            "  --no-explain         leave explanations out (faster)\n"
            "  --also ID            also score alert ID in full, whether or not candidate\n"
            "                       generation finds it: why did ID not hit? With --name\n"
            "                       or --mrz it is shown after the results, with its rank\n"
            "                       and score whatever they are; with --queries, when it\n"
            "                       is among the --limit best. Repeatable, 64 at most\n"
            "  -h, --help           this help\n"
            "\n"
            "Scores are calibrated in [0, 1]; docs/scoring.md explains them.\n"
            "Exit status: 0 success, 1 usage error, 2 input error.\n",
            LIMEN_DEFAULT_THRESHOLD);
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = (size_t)v;
    return 0;
}

static void report_error(const char *file, const struct limen_error *err)
{
    if (err->field[0])
        fprintf(stderr, "%s:%ld: %s (%s)\n", file, err->line, err->message, err->field);
    else if (err->column)
        fprintf(stderr, "%s:%ld:%ld: %s\n", file, err->line, err->column, err->message);
    else
        fprintf(stderr, "%s:%ld: %s\n", file, err->line, err->message);
}

struct load_report {
    const char *path;
    int keep_going;
    int fatal; /* out of memory: no point going on */
};

/* Reports an alert line that was not added; returns nonzero to stop. */
static int load_report(void *ud, size_t item, int is_alert, const struct limen_error *err)
{
    struct load_report *lr = ud;
    (void)item;
    if (err->status == LIMEN_ENOMEM || err->status == LIMEN_ELIMIT) {
        /* no point going on: every later alert needs memory too */
        if (err->status == LIMEN_ENOMEM)
            limen_cli_error("%s:%ld: out of memory while indexing (the alerts before this line "
                            "were indexed; give the process more memory or split the list)",
                            lr->path, err->line);
        else
            limen_cli_error("%s:%ld: %s; the alerts before this line were indexed (raise "
                            "--max-memory or split the list)",
                            lr->path, err->line, err->message);
        lr->fatal = 1;
        return 1;
    }
    if (is_alert && err->status == LIMEN_EEMPTY) {
        /* A well-formed alert with nothing to screen on (a vessel named
         * "7-28"): said, counted, never fatal. */
        fprintf(stderr, "%s:%ld: warning: %s; not indexable, skipped\n", lr->path, err->line,
                err->message);
        return 0;
    }
    report_error(lr->path, err);
    if (!lr->keep_going) {
        lr->fatal = 1;
        return 1;
    }
    return 0;
}

/* Loads alerts; returns 0, or an exit code. */
int limen_cli_load_alerts(const char *path, int keep_going, unsigned threads,
                          struct limen_index *idx)
{
    struct limen_error err;
    struct limen_reader *r = NULL;
    if (limen_reader_open(path, 0, &r, &err) != LIMEN_OK) {
        limen_cli_error("%s", err.message);
        return LIMEN_EXIT_INPUT;
    }
    struct load_report lr = {path, keep_going, 0};
    struct limen_index_add_stats as;
    limen_index_add_reader(idx, r, threads, load_report, &lr, &as);
    int rc = lr.fatal ? LIMEN_EXIT_INPUT : 0;
    struct limen_reader_stats rs;
    limen_reader_stats(r, &rs);
    limen_reader_free(r);
    /* Alerts not indexable are the rejected ones that were well-formed lines. */
    fprintf(stderr, "limen: %s: %lu entities read, %lu lines skipped, %lu not indexable, %zu indexed",
            path, rs.read, rs.skipped, rs.read - (unsigned long)as.added, as.added);
    if (as.replaced)
        fprintf(stderr, " (%zu duplicate ids: the last one wins)", as.replaced);
    fputc('\n', stderr);
    if (rc)
        return rc;
    limen_status st = limen_index_finish(idx);
    if (st == LIMEN_ELIMIT) {
        limen_cli_error("%s: the index's lookup tables would pass its memory limit (--max-memory); "
                        "raise it or split the list", path);
        return LIMEN_EXIT_INPUT;
    }
    if (st != LIMEN_OK) {
        limen_cli_error("out of memory while building the index");
        return LIMEN_EXIT_INPUT;
    }
    return 0;
}

static void print_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* The results array: [{"id", "score", "match", "explanation"}...]. */
static void print_result_array(FILE *out, const struct limen_results *res, int explain)
{
    fputc('[', out);
    for (size_t i = 0; i < limen_results_count(res); i++) {
        fputs(i ? ",{\"id\":" : "{\"id\":", out);
        print_json_string(out, limen_result_id(res, i));
        fprintf(out, ",\"score\":%.4f,\"match\":%s", limen_result_score(res, i),
                limen_result_match(res, i) ? "true" : "false");
        if (explain)
            fprintf(out, ",\"explanation\":%s", limen_result_explanation(res, i));
        fputc('}', out);
    }
    fputc(']', out);
}

static void print_results(FILE *out, const char *qid, const struct limen_results *res,
                          int explain)
{
    fputs("{\"query\":", out);
    print_json_string(out, qid);
    fputs(",\"results\":", out);
    print_result_array(out, res, explain);
    fputs("}\n", out);
}

/*
 * Batch screening: queries are read in batches; a batch is screened by
 * `threads` workers taking queries in turn, then printed in input order, so
 * the output does not depend on the number of threads.
 */
#define BATCH 2048

struct job {
    struct limen_entity *q;    /* NULL: a bad input line */
    struct limen_results *res; /* filled by the workers */
    limen_status st;
    struct limen_error err;
    long line;
};

struct batch {
    const struct limen_index *idx;
    const struct limen_screen_options *o;
    struct job *jobs;
    size_t n;
    size_t next; /* guarded by mu */
    pthread_mutex_t mu;
};

static void *worker(void *arg)
{
    struct batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t i = b->next < b->n ? b->next++ : b->n;
        pthread_mutex_unlock(&b->mu);
        if (i >= b->n)
            return NULL;
        struct job *j = &b->jobs[i];
        if (j->q)
            j->st = limen_screen(b->idx, j->q, b->o, &j->res, &j->err);
    }
}

static int run_batch(struct batch *b, int threads)
{
    b->next = 0;
    if (threads <= 1 || b->n < 2) {
        worker(b);
        return 0;
    }
    pthread_t tid[64];
    int started = 0;
    for (; started < threads - 1 && started < 64; started++)
        if (pthread_create(&tid[started], NULL, worker, b) != 0)
            break;
    worker(b);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    return 0;
}

static int screen_file(struct limen_index *idx, const char *path,
                       const struct limen_screen_options *o, int keep_going, int threads)
{
    struct limen_error err;
    struct limen_reader *r = NULL;
    if (limen_reader_open(path, 0, &r, &err) != LIMEN_OK) {
        limen_cli_error("%s", err.message);
        return LIMEN_EXIT_INPUT;
    }
    limen_reader_set_query_mode(r, 1);
    int rc = 0, eof = 0;
    unsigned long screened = 0, matched = 0;
    struct batch b;
    memset(&b, 0, sizeof b);
    b.idx = idx;
    b.o = o;
    b.jobs = calloc(BATCH, sizeof *b.jobs);
    if (!b.jobs) {
        limen_reader_free(r);
        limen_cli_error("out of memory");
        return LIMEN_EXIT_INPUT;
    }
    pthread_mutex_init(&b.mu, NULL);
    while (!eof && rc == 0) {
        /* Read a batch; a bad line stops the reading unless keep_going. */
        b.n = 0;
        int stop = 0;
        while (b.n < BATCH && !stop) {
            struct job *j = &b.jobs[b.n];
            memset(j, 0, sizeof *j);
            limen_status st = limen_reader_next(r, &j->q, &j->err);
            if (st == LIMEN_EOF) {
                eof = 1;
                break;
            }
            j->line = j->err.line;
            j->st = st;
            if (st != LIMEN_OK) {
                j->q = NULL;
                stop = !keep_going;
            }
            b.n++;
        }
        run_batch(&b, threads);
        for (size_t i = 0; i < b.n; i++) {
            struct job *j = &b.jobs[i];
            if (rc == 0 && j->st == LIMEN_OK) {
                print_results(stdout, limen_entity_id(j->q), j->res, o->explain);
                screened++;
                matched += limen_results_count(j->res) && limen_result_match(j->res, 0);
            } else if (rc == 0) {
                j->err.line = j->line;
                report_error(path, &j->err);
                if (!keep_going) {
                    rc = LIMEN_EXIT_INPUT;
                } else {
                    printf("{\"query\":null,\"line\":%ld,\"error\":", j->line);
                    print_json_string(stdout, j->err.message);
                    printf(",\"results\":[]}\n");
                }
            }
            limen_results_free(j->res);
            limen_entity_free(j->q);
        }
    }
    pthread_mutex_destroy(&b.mu);
    free(b.jobs);
    struct limen_reader_stats rs;
    limen_reader_stats(r, &rs);
    limen_reader_free(r);
    fprintf(stderr, "limen: %s: %lu queries screened, %lu with a match, %lu lines skipped\n",
            path, screened, matched, rs.skipped);
    return rc;
}

static void print_row(const struct limen_results *res, size_t i)
{
    printf("%-3zu %-6.3f %-8s %-24s %s\n", i + 1, limen_result_score(res, i),
           limen_result_match(res, i) ? "MATCH" : "-", limen_result_id(res, i),
           limen_result_summary(res, i));
}

/*
 * Screens one query entity and prints the table for people. Alerts asked for
 * with --also that are not among the results shown follow, with their rank
 * among all the alerts scored, whatever their score: why did it not hit?
 */
static int print_screening(struct limen_index *idx, const struct limen_entity *q,
                           const struct limen_screen_options *o)
{
    struct limen_screen_options all = *o;
    if (o->nalso) {
        all.limit = 1000;
        all.min_score = 0;
    }
    struct limen_results *res = NULL;
    struct limen_error err;
    if (limen_screen(idx, q, &all, &res, &err) != LIMEN_OK) {
        limen_cli_error("%s", err.message);
        return LIMEN_EXIT_INPUT;
    }
    size_t n = limen_results_count(res), shown = 0;
    while (shown < n && shown < o->limit && limen_result_score(res, shown) >= o->min_score)
        shown++;
    if (shown == 0)
        printf("No alert scored %.2f or more.\n", o->min_score);
    else
        printf("%-3s %-6s %-8s %-24s %s\n", "#", "score", "verdict", "alert", "why");
    for (size_t i = 0; i < shown; i++)
        print_row(res, i);
    for (size_t k = 0; k < o->nalso; k++) {
        size_t i = 0;
        while (i < n && strcmp(limen_result_id(res, i), o->also[k]) != 0)
            i++;
        if (i < shown)
            continue;
        if (i == n)
            printf("--also %s: no such alert in the index (or withdrawn)\n", o->also[k]);
        else
            print_row(res, i);
    }
    limen_results_free(res);
    return LIMEN_EXIT_OK;
}

static int screen_one(struct limen_index *idx, const char *name, const char *dob, const char *nat,
                      const char *gender, const char *passport,
                      const struct limen_screen_options *o)
{
    struct limen_entity *q = NULL;
    int rc = LIMEN_EXIT_INPUT;
    if (limen_entity_new("query", LIMEN_SCHEMA_PERSON, &q) != LIMEN_OK)
        goto out;
    struct {
        const char *prop, *value;
    } fields[] = {{"name", name},
                  {"birthDate", dob},
                  {"nationality", nat},
                  {"gender", gender},
                  {"passportNumber", passport}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!fields[i].value)
            continue;
        limen_status st = limen_entity_add(q, fields[i].prop, fields[i].value,
                                           strlen(fields[i].value));
        if (st != LIMEN_OK) {
            limen_cli_error("--%s: %s", fields[i].prop, limen_strerror(st));
            goto out;
        }
    }
    rc = print_screening(idx, q, o);
out:
    limen_entity_free(q);
    return rc;
}

/*
 * Screens the holder of a machine-readable zone: names, date of birth, sex,
 * nationality and document number. A field that fails its check digit is
 * reported; the holder is still screened with the fields that are valid,
 * because a damaged document is itself a reason to look closer.
 */
static int screen_mrz(struct limen_index *idx, const char *text,
                      const struct limen_screen_options *o)
{
    struct limen_mrz m;
    struct limen_error err;
    struct limen_entity *q = NULL;
    limen_status st = limen_mrz_parse(text, strlen(text), NULL, &m, &err);
    if (m.format == LIMEN_MRZ_UNKNOWN) {
        limen_cli_error("--mrz: %s", err.message[0] ? err.message : limen_strerror(st));
        return LIMEN_EXIT_INPUT;
    }
    printf("MRZ %s, %s: %s, %s, born %s, sex %s, nationality %s, document %s\n",
           limen_mrz_format_name(m.format), m.valid ? "valid" : "NOT VALID",
           limen_mrz_value(&m, LIMEN_MRZ_SURNAME), limen_mrz_value(&m, LIMEN_MRZ_GIVEN_NAMES),
           limen_mrz_value(&m, LIMEN_MRZ_BIRTH_DATE), limen_mrz_value(&m, LIMEN_MRZ_SEX),
           limen_mrz_value(&m, LIMEN_MRZ_NATIONALITY),
           limen_mrz_value(&m, LIMEN_MRZ_DOCUMENT_NUMBER));
    for (int f = 0; f < LIMEN_MRZ_FIELD_COUNT; f++)
        if (m.fields[f].present && !m.fields[f].valid && m.fields[f].message[0])
            printf("  warning: %s (line %u, column %u): %s\n",
                   limen_mrz_field_name((enum limen_mrz_field_id)f), m.fields[f].line,
                   m.fields[f].column, m.fields[f].message);
    st = limen_mrz_to_entity(&m, NULL, &q);
    if (st != LIMEN_OK) {
        limen_cli_error("--mrz: nothing to screen: %s", limen_strerror(st));
        return LIMEN_EXIT_INPUT;
    }
    int rc = print_screening(idx, q, o);
    limen_entity_free(q);
    return rc;
}


static void print_traveller(FILE *out, const struct limen_paxlst_traveller *t, size_t i)
{
    fprintf(out, "{\"number\":%zu,\"role\":", i + 1);
    print_json_string(out, limen_paxlst_role_name(t->role));
    fputs(",\"surname\":", out);
    print_json_string(out, t->surname);
    fputs(",\"given_names\":", out);
    print_json_string(out, t->given_names);
    fputs(",\"birth_date\":", out);
    print_json_string(out, t->birth_date);
    fputs(",\"sex\":", out);
    print_json_string(out, t->sex);
    fputs(",\"nationality\":", out);
    print_json_string(out, t->nationality);
    fputs(",\"documents\":[", out);
    for (size_t d = 0; d < t->document_count; d++) {
        fputs(d ? ",{\"type\":" : "{\"type\":", out);
        print_json_string(out, t->documents[d].type);
        fputs(",\"number\":", out);
        print_json_string(out, t->documents[d].number);
        fputs(",\"issuing_country\":", out);
        print_json_string(out, t->documents[d].issuing_country);
        fputc('}', out);
    }
    fprintf(out, "],\"segment\":%ld}", t->segment);
}

/*
 * Screens every traveller of a PAXLST manifest: one verdict line each, in
 * manifest order, and a summary. A traveller with nothing to screen on still
 * gets its line ("not_screened"): no one is dropped silently.
 */
static int screen_paxlst(struct limen_index *idx, const char *path,
                         const struct limen_screen_options *o)
{
    struct limen_paxlst *p = NULL;
    int rc = limen_cli_paxlst_load(path, 0, &p);
    if (rc != LIMEN_EXIT_OK)
        return rc;
    size_t n = limen_paxlst_traveller_count(p);
    unsigned long matched = 0, not_screened = 0;
    for (size_t i = 0; i < n; i++) {
        const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, i);
        struct limen_entity *q = NULL;
        struct limen_results *res = NULL;
        struct limen_error err;
        char qid[32];
        snprintf(qid, sizeof qid, "paxlst-%zu", i + 1);
        limen_status st = limen_paxlst_traveller_entity(p, i, &q);
        if (st == LIMEN_OK)
            st = limen_screen(idx, q, o, &res, &err);
        limen_entity_free(q);
        if (st == LIMEN_ENOMEM) {
            limen_cli_error("out of memory screening %s", path);
            rc = LIMEN_EXIT_INPUT;
            break;
        }
        fputs("{\"query\":", stdout);
        print_json_string(stdout, qid);
        fputs(",\"traveller\":", stdout);
        print_traveller(stdout, t, i);
        if (st != LIMEN_OK) {
            not_screened++;
            fputs(",\"verdict\":\"not_screened\",\"reason\":", stdout);
            print_json_string(stdout, st == LIMEN_EEMPTY ? "no name and no document number"
                                                         : limen_strerror(st));
            fputs(",\"results\":[]}\n", stdout);
            fprintf(stderr, "%s: segment %ld: warning: traveller %zu not screened: %s\n", path,
                    t->segment, i + 1,
                    st == LIMEN_EEMPTY ? "no name and no document number" : limen_strerror(st));
            continue;
        }
        int hit = limen_results_count(res) && limen_result_match(res, 0);
        matched += (unsigned long)hit;
        fprintf(stdout, ",\"verdict\":\"%s\",\"results\":", hit ? "match" : "no_match");
        print_result_array(stdout, res, o->explain);
        fputs("}\n", stdout);
        limen_results_free(res);
        if (n >= 1000 && (i + 1) % 1000 == 0)
            fprintf(stderr, "limen: %s: %zu of %zu travellers screened\n", path, i + 1, n);
    }
    struct limen_paxlst_counts c;
    limen_paxlst_counts(p, &c);
    if (rc == LIMEN_EXIT_OK) {
        printf("{\"summary\":{\"file\":");
        print_json_string(stdout, path);
        char pd[24] = "null", cd[24] = "null";
        if (c.passengers_declared >= 0)
            snprintf(pd, sizeof pd, "%ld", c.passengers_declared);
        if (c.crew_declared >= 0)
            snprintf(cd, sizeof cd, "%ld", c.crew_declared);
        printf(",\"travellers\":%zu,\"passengers_read\":%zu,\"passengers_declared\":%s,"
               "\"crew_read\":%zu,\"crew_declared\":%s,\"others_read\":%zu,\"screened\":%lu,"
               "\"not_screened\":%lu,\"matches\":%lu,\"warnings\":%zu}}\n",
               n, c.passengers_read, pd, c.crew_read, cd, c.others_read,
               (unsigned long)n - not_screened, not_screened, matched,
               limen_paxlst_warning_count(p));
        fprintf(stderr,
                "limen: %s: %zu travellers (passengers %zu read, %s declared; crew %zu read, "
                "%s declared), %lu screened, %lu with a match, %lu not screened\n",
                path, n, c.passengers_read, c.passengers_declared >= 0 ? pd : "none",
                c.crew_read, c.crew_declared >= 0 ? cd : "none",
                (unsigned long)n - not_screened, matched, not_screened);
    }
    limen_paxlst_free(p);
    return rc;
}

int limen_cli_screen(int argc, char **argv)
{
    enum { O_ALERTS = 256, O_QUERIES, O_NAME, O_DOB, O_NAT, O_GENDER, O_PASSPORT, O_LIMIT,
           O_THRESHOLD, O_KEEP, O_NOEXPLAIN, O_MRZ, O_PAXLST, O_INDEX, O_THREADS, O_ALSO };
    static const struct option longopts[] = {{"alerts", required_argument, NULL, O_ALERTS},
                                             {"queries", required_argument, NULL, O_QUERIES},
                                             {"name", required_argument, NULL, O_NAME},
                                             {"birth-date", required_argument, NULL, O_DOB},
                                             {"nationality", required_argument, NULL, O_NAT},
                                             {"gender", required_argument, NULL, O_GENDER},
                                             {"passport", required_argument, NULL, O_PASSPORT},
                                             {"mrz", required_argument, NULL, O_MRZ},
                                             {"paxlst", required_argument, NULL, O_PAXLST},
                                             {"index", required_argument, NULL, O_INDEX},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"limit", required_argument, NULL, O_LIMIT},
                                             {"threshold", required_argument, NULL, O_THRESHOLD},
                                             {"keep-going", no_argument, NULL, O_KEEP},
                                             {"no-explain", no_argument, NULL, O_NOEXPLAIN},
                                             {"also", required_argument, NULL, O_ALSO},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *alerts = NULL, *queries = NULL, *name = NULL, *dob = NULL, *nat = NULL,
               *gender = NULL, *passport = NULL, *mrz = NULL, *paxlst = NULL,
               *index_path = NULL;
    int keep_going = 0;
    size_t threads = 1;
    struct limen_screen_options o;
    limen_screen_options_init(&o);
    const char *also[LIMEN_SCREEN_ALSO_MAX];
    o.also = also;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_ALERTS: alerts = optarg; break;
        case O_QUERIES: queries = optarg; break;
        case O_NAME: name = optarg; break;
        case O_DOB: dob = optarg; break;
        case O_NAT: nat = optarg; break;
        case O_GENDER: gender = optarg; break;
        case O_PASSPORT: passport = optarg; break;
        case O_MRZ: mrz = optarg; break;
        case O_PAXLST: paxlst = optarg; break;
        case O_INDEX: index_path = optarg; break;
        case O_THREADS:
            if (parse_size(optarg, &threads) != 0 || threads == 0 || threads > 64) {
                limen_cli_error("screen: --threads takes a whole number from 1 to 64");
                return LIMEN_EXIT_USAGE;
            }
            break;
        case O_KEEP: keep_going = 1; break;
        case O_NOEXPLAIN: o.explain = 0; break;
        case O_ALSO:
            if (o.nalso == LIMEN_SCREEN_ALSO_MAX) {
                limen_cli_error("screen: --also is given at most %d times", LIMEN_SCREEN_ALSO_MAX);
                return LIMEN_EXIT_USAGE;
            }
            also[o.nalso++] = optarg;
            break;
        case O_LIMIT:
            if (parse_size(optarg, &o.limit) != 0 || o.limit == 0 || o.limit > 1000) {
                limen_cli_error("screen: --limit takes a whole number from 1 to 1000");
                return LIMEN_EXIT_USAGE;
            }
            break;
        case O_THRESHOLD:
            if (parse_double(optarg, &o.threshold) != 0 || o.threshold < 0 || o.threshold > 1) {
                limen_cli_error("screen: --threshold takes a number from 0 to 1");
                return LIMEN_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return LIMEN_EXIT_OK;
        default:
            limen_cli_error("screen: unknown or incomplete option '%s' (see limen screen --help)",
                            argv[optind - 1]);
            return LIMEN_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        limen_cli_error("screen: unexpected argument '%s'", argv[optind]);
        return LIMEN_EXIT_USAGE;
    }
    int one_off = name || passport;
    int modes = !!queries + !!one_off + !!mrz + !!paxlst;
    if (!alerts == !index_path || modes != 1) {
        limen_cli_error("screen: give --alerts or --index, and one of --queries, --name/--passport, "
                        "--mrz or --paxlst");
        usage(stderr);
        return LIMEN_EXIT_USAGE;
    }
    if (o.threshold < o.min_score)
        o.min_score = o.threshold;
    struct limen_index *idx = NULL;
    int rc = 0;
    if (index_path) {
        struct limen_error err;
        if (limen_index_load(index_path, &idx, &err) != LIMEN_OK) {
            limen_cli_error("%s", err.message);
            return LIMEN_EXIT_INPUT;
        }
    } else {
        if (limen_index_new(NULL, &idx) != LIMEN_OK) {
            limen_cli_error("cannot create the index");
            return LIMEN_EXIT_INPUT;
        }
        rc = limen_cli_load_alerts(alerts, keep_going, 0, idx);
    }
    if (rc == 0) {
        if (queries)
            rc = screen_file(idx, queries, &o, keep_going, (int)threads);
        else if (mrz)
            rc = screen_mrz(idx, mrz, &o);
        else if (paxlst)
            rc = screen_paxlst(idx, paxlst, &o);
        else
            rc = screen_one(idx, name, dob, nat, gender, passport, &o);
    }
    limen_index_free(idx);
    return rc;
}
