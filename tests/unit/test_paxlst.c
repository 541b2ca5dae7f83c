/*
 * Tests of the PAXLST parser (src/lib/paxlst.c). The GTAS samples in
 * $LIMEN_SHARED_DATA/paxlst/gtas all parse; the expected names, dates of
 * birth, documents and counts below were read from the files by hand. Then
 * the UNA separators, the release character, every tolerated defect with
 * its warning and segment, every error with its segment and byte, the
 * limits, the JSON and entity output, and allocation failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "limen/limen.h"

static char *read_sample(const char *name, size_t *len)
{
    const char *dir = getenv("LIMEN_SHARED_DATA");
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/paxlst/gtas/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    return buf;
}

static struct limen_paxlst *parse_ok(const char *data, size_t len)
{
    struct limen_paxlst *p = NULL;
    struct limen_error err;
    limen_status st = limen_paxlst_parse(data, len, NULL, &p, &err);
    if (st != LIMEN_OK)
        fail_msg("parse: %s (segment %ld, byte %zu: %s)", limen_status_name(st), err.line,
                 err.offset, err.message);
    assert_non_null(p);
    return p;
}

static struct limen_paxlst *parse_sample(const char *name)
{
    size_t len;
    char *data = read_sample(name, &len);
    struct limen_paxlst *p = parse_ok(data, len);
    free(data);
    return p;
}

static struct limen_paxlst *parse_str(const char *s)
{
    return parse_ok(s, strlen(s));
}

static void expect_error(const char *s, size_t len, const struct limen_paxlst_options *opts,
                         limen_status want, long segment, size_t offset, const char *needle)
{
    struct limen_paxlst *p = (struct limen_paxlst *)1;
    struct limen_error err;
    limen_status st = limen_paxlst_parse(s, len, opts, &p, &err);
    if (st != want)
        fail_msg("want %s, got %s (%s)", limen_status_name(want), limen_status_name(st),
                 err.message);
    assert_null(p);
    assert_int_equal(err.status, want);
    assert_int_equal(err.line, segment);
    assert_int_equal(err.offset, offset);
    if (!strstr(err.message, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

/* The index of the first kept warning containing `needle` at `segment`, or fails. */
static void expect_warning(const struct limen_paxlst *p, long segment, const char *needle)
{
    for (size_t i = 0; i < limen_paxlst_warning_count(p); i++) {
        const struct limen_paxlst_warning *w = limen_paxlst_warning(p, i);
        if (!w)
            break;
        if (w->segment == segment && strstr(w->message, needle))
            return;
    }
    for (size_t i = 0; limen_paxlst_warning(p, i); i++)
        print_message("  warning: segment %ld: %s\n", limen_paxlst_warning(p, i)->segment,
                      limen_paxlst_warning(p, i)->message);
    fail_msg("no warning \"%s\" at segment %ld", needle, segment);
}

static const struct limen_paxlst_traveller *find(const struct limen_paxlst *p, const char *surname,
                                                 const char *given)
{
    for (size_t i = 0; i < limen_paxlst_traveller_count(p); i++) {
        const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, i);
        if (!strcmp(t->surname, surname) && !strcmp(t->given_names, given))
            return t;
    }
    fail_msg("no traveller %s, %s", surname, given);
    return NULL;
}

static void expect_person(const struct limen_paxlst *p, const char *surname, const char *given,
                          const char *sex, const char *dob, const char *doc_type,
                          const char *doc_number)
{
    const struct limen_paxlst_traveller *t = find(p, surname, given);
    assert_string_equal(t->sex, sex);
    assert_string_equal(t->birth_date, dob);
    assert_true(t->document_count >= 1);
    assert_string_equal(t->documents[0].type, doc_type);
    assert_string_equal(t->documents[0].number, doc_number);
}

static void expect_counts(const struct limen_paxlst *p, size_t pax, long pax_decl, size_t crew,
                          long crew_decl)
{
    struct limen_paxlst_counts c;
    limen_paxlst_counts(p, &c);
    assert_int_equal(c.passengers_read, pax);
    assert_int_equal(c.passengers_declared, pax_decl);
    assert_int_equal(c.crew_read, crew);
    assert_int_equal(c.crew_declared, crew_decl);
    assert_int_equal(limen_paxlst_traveller_count(p), pax + crew);
}

static void test_flight1(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-job-scheduler-war_tamr__flight1.txt");
    expect_counts(p, 10, 10, 0, -1);
    assert_int_equal(limen_paxlst_message_count(p), 1);
    assert_int_equal(limen_paxlst_leg_count(p), 1);
    const struct limen_paxlst_leg *l = limen_paxlst_leg(p, 0);
    assert_string_equal(l->flight, "LA532");
    assert_string_equal(l->carrier, "LA");
    assert_string_equal(l->departure_airport, "SCL");
    assert_string_equal(l->arrival_airport, "JFK");
    assert_string_equal(l->departure_time, "2020-01-19T23:00");
    assert_string_equal(l->arrival_time, "2020-01-20T07:40");
    assert_null(limen_paxlst_leg(p, 1));

    const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, 0);
    assert_int_equal(t->role, LIMEN_PAXLST_PASSENGER);
    assert_string_equal(t->party, "FL");
    assert_string_equal(t->surname, "JIANG");
    assert_string_equal(t->given_names, "HSIUYUAN");
    assert_string_equal(t->birth_date, "1967-06-03");
    assert_string_equal(t->nationality, "CHN");
    assert_string_equal(t->residence, "CHN");
    assert_string_equal(t->embarkation, "SVO");
    assert_string_equal(t->debarkation, "IAD");
    assert_int_equal(t->segment, 11);
    assert_int_equal(t->document_count, 2);
    assert_string_equal(t->documents[0].type, ""); /* DOC++433419360 */
    assert_string_equal(t->documents[0].number, "433419360");
    assert_string_equal(t->documents[0].expiry, "2023-09-20");
    assert_string_equal(t->documents[0].issuing_country, "CHN");
    assert_string_equal(t->documents[1].type, "V");
    assert_string_equal(t->documents[1].number, "57131424");
    assert_string_equal(t->documents[1].issuing_country, "USA");
    assert_int_equal(t->reference_count, 2);
    assert_string_equal(t->references[0].qualifier, "AVF");
    assert_string_equal(t->references[0].value, "7F5F21");
    assert_string_equal(t->references[1].qualifier, "SEA");
    assert_string_equal(t->references[1].value, "056F");

    expect_person(p, "CAPONE", "LISA ALVINA", "F", "1972-08-05", "P", "907316631");
    expect_person(p, "CROUCH", "MILES RODGER", "M", "1997-11-02", "P", "67972726");
    expect_person(p, "MUNOZ", "CHARLES STEVE", "M", "1941-01-08", "P", "910936537");
    /* born in 2000: the century comes from the interchange date (2020-01-30) */
    expect_person(p, "O GRADY", "EMMA MAISIE", "F", "2000-05-20", "P", "209415811");
    /* "LOC+91+" : an empty issuing country */
    assert_string_equal(find(p, "CANNON", "ALEXANDRA EVA")->documents[0].issuing_country, "");

    expect_warning(p, 23, "DOC without a document type");
    expect_warning(p, 182, "UNT declares 23 segments, 181 read");
    limen_paxlst_free(p);
}

static void test_flight2(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-job-scheduler-war_tamr__flight2.txt");
    expect_counts(p, 10, 10, 0, -1);
    assert_string_equal(limen_paxlst_leg(p, 0)->flight, "FI615");
    assert_string_equal(limen_paxlst_leg(p, 0)->departure_airport, "KEF");
    expect_person(p, "WATERFIELD", "RHYS THOMAS", "M", "1953-12-24", "", "482606407");
    expect_person(p, "CHIANG", "XIUYUAN", "F", "1967-06-04", "P", "51447450");
    expect_person(p, "LOWE", "JESSICA KATE", "F", "1965-03-08", "P", "339436223");
    expect_person(p, "THEBAULT", "REUBEN", "M", "1945-01-13", "P", "700731195");
    const struct limen_paxlst_traveller *t = find(p, "LOWE", "JESSICA KATE");
    assert_string_equal(t->documents[1].type, "K");
    assert_string_equal(t->documents[1].number, "33303259");
    limen_paxlst_free(p);
}

static void test_flight3(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-job-scheduler-war_tamr__flight3.txt");
    expect_counts(p, 10, 10, 0, -1);
    /* "DTM+329: 670603": the space is dropped, with a warning */
    expect_person(p, "JIANG", "XIUYUAN", "F", "1967-06-03", "P", "461448207");
    expect_warning(p, 119, "spaces in the date");
    expect_person(p, "WARREN", "KAYLEIGH ELOISE", "F", "2001-03-28", "P", "291326056");
    expect_person(p, "STRINGER", "WILLIAM MORGAN", "M", "1996-01-25", "P", "91950436");
    expect_person(p, "YOHANNES", "MUSTAFA DAWIT", "M", "1967-03-26", "P", "849816808");
    assert_string_equal(find(p, "YOHANNES", "MUSTAFA DAWIT")->nationality, "IND");
    limen_paxlst_free(p);
}

static void test_test1_crew(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-loader__Test1.txt");
    expect_counts(p, 0, -1, 8, 8);
    const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, 0);
    assert_int_equal(t->role, LIMEN_PAXLST_CREW);
    assert_string_equal(t->party, "FM");
    assert_string_equal(t->surname_raw, "Steur");
    assert_string_equal(t->given_names_raw, "Andrea Pat");
    assert_string_equal(t->surname, "STEUR");
    assert_string_equal(t->given_names, "ANDREA PAT");
    assert_string_equal(t->birth_date, "1978-07-06");
    assert_string_equal(t->birth_place, "Hartford USA");
    assert_string_equal(t->clearance, "IAD");
    assert_string_equal(t->documents[0].type, "P");
    assert_string_equal(t->documents[0].number, "123456789");
    assert_string_equal(t->documents[0].expiry, "2061-02-18");
    expect_person(p, "ZSCHIESCHAK", "JACLYN PAT", "F", "1978-07-13", "P", "123456789");
    expect_person(p, "NALEK", "CLIFTON PAT", "M", "1978-07-08", "P", "123456789");
    expect_warning(p, 12, "lower case");
    expect_warning(p, 108, "CNT+41: count in data element 2");
    expect_warning(p, 109, "UNT declares 152 segments");
    expect_warning(p, 111, "UNZ reference");
    assert_string_equal(limen_paxlst_leg(p, 0)->flight, "UA0989");
    assert_string_equal(limen_paxlst_leg(p, 0)->carrier, "UA");
    limen_paxlst_free(p);
}

static void test_test3_large(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-loader__Test3.txt");
    expect_counts(p, 260, -1, 0, 206);
    const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, 0);
    assert_string_equal(t->surname, "KUCHEL");
    assert_string_equal(t->given_names, "RACHEL PAT");
    assert_string_equal(t->birth_date, "1977-10-19");
    assert_string_equal(t->documents[0].number, "12345678");
    assert_string_equal(t->documents[0].expiry, "2019-12-18");
    t = limen_paxlst_traveller(p, 259);
    assert_string_equal(t->surname, "PFAFFELHUBER");
    assert_string_equal(t->birth_date, "1978-07-05");
    assert_string_equal(t->documents[0].expiry, "2020-09-02");
    /* the stray byte 0x87 in "Nov\x87k" at byte 12949 */
    find(p, "NOV\xEF\xBF\xBDK", "JEFFREY PAT");
    expect_warning(p, 852, "not UTF-8 (first 0x87)");
    const struct limen_paxlst_warning *w = NULL;
    for (size_t i = 0; (w = limen_paxlst_warning(p, i)) != NULL; i++)
        if (strstr(w->message, "0x87"))
            break;
    assert_non_null(w);
    assert_int_equal(w->offset, 12949);
    expect_warning(p, 0, "CNT+41 declares 206 crew, 0 read");
    expect_warning(p, 0, "260 passengers read, none declared");
    limen_paxlst_free(p);
}

static void test_airline2_custom_una(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-loader__airline2.edi");
    expect_counts(p, 10, 136, 0, -1);
    expect_person(p, "BETTON", "DAVID", "M", "1954-10-16", "P", "178556534");
    expect_person(p, "LOWE", "DANIEL", "M", "1954-10-16", "P", "153284238");
    expect_person(p, "STEWART", "MARYJANE", "M", "1954-10-16", "P", "179868051");
    assert_string_equal(limen_paxlst_leg(p, 0)->departure_airport, "BRE");
    assert_string_equal(limen_paxlst_leg(p, 0)->arrival_airport, "YEU");
    expect_warning(p, 0, "custom separators");
    expect_warning(p, 2, "space after segment tag UNG");
    expect_warning(p, 113, "UNT reference");
    expect_warning(p, 0, "CNT+42 declares 136 passengers, 10 read");
    limen_paxlst_free(p);
}

static void test_multi_leg(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-loader__multiple_flight_leg_apis.txt");
    expect_counts(p, 2, 2, 0, -1);
    assert_int_equal(limen_paxlst_leg_count(p), 3);
    const struct limen_paxlst_leg *l = limen_paxlst_leg(p, 1);
    assert_string_equal(l->flight, "QQ827");
    assert_string_equal(l->departure_airport, "IAD"); /* LOC+92 twice */
    assert_string_equal(l->arrival_airport, "JFK");
    assert_string_equal(l->departure_time, "2008-08-10T18:30");
    l = limen_paxlst_leg(p, 2);
    assert_string_equal(l->departure_airport, "JFK");
    assert_string_equal(l->arrival_airport, "CDG");
    expect_person(p, "BARRETT", "TODD", "M", "1968-02-23", "P", "YY3478621G");
    expect_person(p, "LANG", "KRISTIN", "F", "1960-06-06", "P", "TRQWE99800");
    assert_string_equal(find(p, "BARRETT", "TODD")->references[1].value, "UUI34T543");
    expect_warning(p, 0, "7 bytes after UNZ ignored");
    limen_paxlst_free(p);
}

static void test_apis_message(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-parsers__apisMessage.txt");
    expect_counts(p, 2, 2, 0, -1);
    assert_int_equal(limen_paxlst_leg_count(p), 2);
    assert_string_equal(limen_paxlst_leg(p, 1)->flight, "AA124");
    assert_string_equal(limen_paxlst_leg(p, 1)->arrival_airport, "JFK");
    const struct limen_paxlst_traveller *t = find(p, "CLARK", "CHERYL");
    assert_string_equal(t->birth_date, "1973-04-07");
    assert_string_equal(t->sex, "F");
    assert_int_equal(t->document_count, 0);
    assert_int_equal(find(p, "CLARK", "MICHAEL")->reference_count, 4);
    expect_warning(p, 2, "spaces before segment tag");
    limen_paxlst_free(p);
}

static const char *const head = "UNB+UNOA:4+S+R+200130:0300+9'UNH+1+PAXLST:D:05B:UN:IATA'";

static void test_una_and_release(void **state)
{
    (void)state;
    /* Custom separators: component '.', element '|', release '!', terminator '~'. */
    struct limen_paxlst *p =
        parse_str("UNA.|,! ~UNB|UNOA.4|S|R|200130.0300|9~UNH|1|PAXLST.D.05B.UN.IATA~"
                  "TDT|20|AB12~NAD|FL|||SMITH!|JONES.ANN!.MARIE!~~ATT|2||F~DTM|329.850101~"
                  "DOC|P|X!|1~CNT|42.1~UNT|8|1~UNZ|1|9~");
    expect_counts(p, 1, 1, 0, -1);
    const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, 0);
    assert_string_equal(t->surname, "SMITH|JONES");
    assert_string_equal(t->given_names, "ANN.MARIE~");
    assert_string_equal(t->birth_date, "1985-01-01");
    assert_string_equal(t->documents[0].number, "X|1");
    expect_warning(p, 0, "custom separators");
    assert_int_equal(limen_paxlst_warning_count(p), 1);
    limen_paxlst_free(p);

    /* Default separators: the release character escapes ' + : and itself. */
    p = parse_str("UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++O?'BRIEN:ANN?+MARIE?:JO?"
                  "?'CNT+42:1'"
                  "UNT+4+1'UNZ+1+9'");
    t = limen_paxlst_traveller(p, 0);
    assert_string_equal(t->surname, "O'BRIEN");
    assert_string_equal(t->given_names, "ANN+MARIE:JO?");
    expect_warning(p, 1, "no UNB");
    limen_paxlst_free(p);

    /* Line breaks between and inside segments are ignored silently. */
    p = parse_str("UNB+UNOA:4+S+R+200130:0300+9'\r\nUNH+1+PAXLST:D:05B:UN:IATA'\nNAD+FL+++DO\r\nE:J"
                  "'\nCNT+42:1'\nUNT+4+1'\nUNZ+1+9'\n");
    assert_string_equal(limen_paxlst_traveller(p, 0)->surname, "DOE");
    assert_int_equal(limen_paxlst_warning_count(p), 0);
    limen_paxlst_free(p);
}

static void test_defects(void **state)
{
    (void)state;
    char buf[2048];
    /* Segments: UNB 1, UNH 2, BGM 3, TDT 4, LOC 5, DTM 6, NAD 7, ATT 8, DTM 9, NAT 10,
     * DOC 11, NAD 12, DTM 13, NAD 14, CNT 15, UNT 16, UNZ 17. */
    snprintf(buf, sizeof buf,
             "%sBGM+250'TDT+20+XY1'LOC+125+CDG'DTM+189:0230:201'NAD+FM+++smith:jo'ATT+2++Q'"
             "DTM+329:991399'NAT+2+FRANCE'DOC+P'NAD+ZZ+++A\xff'DTM+36:300101'NAD+++++B'"
             "CNT+41:5'UNT+3+2'UNZ+2+8'",
             head);
    struct limen_paxlst *p = parse_str(buf);
    struct limen_paxlst_counts c;
    limen_paxlst_counts(p, &c);
    assert_int_equal(c.crew_read, 2); /* FM, and the NAD without qualifier in a crew list */
    assert_int_equal(c.others_read, 1);
    assert_int_equal(c.crew_declared, 5);
    assert_int_equal(limen_paxlst_traveller_count(p), 3);
    expect_warning(p, 6, "DTM+189: date \"0230\" not understood");
    expect_warning(p, 7, "lower case");
    assert_string_equal(limen_paxlst_traveller(p, 0)->surname, "SMITH");
    assert_string_equal(limen_paxlst_traveller(p, 0)->surname_raw, "smith");
    expect_warning(p, 8, "gender \"Q\"");
    expect_warning(p, 9, "date \"991399\" not understood");
    expect_warning(p, 10, "not an alpha-3 code");
    expect_warning(p, 11, "DOC without a document number");
    expect_warning(p, 12, "party qualifier ZZ");
    expect_warning(p, 12, "not UTF-8 (first 0xFF)");
    assert_string_equal(limen_paxlst_traveller(p, 1)->surname, "A\xEF\xBF\xBD");
    expect_warning(p, 13, "DTM+36 without a DOC");
    expect_warning(p, 14, "without a party qualifier");
    expect_warning(p, 16, "UNT declares 3 segments, 15 read");
    expect_warning(p, 16, "UNT reference \"2\" differs");
    expect_warning(p, 17, "UNZ declares 2 messages, 1 read");
    expect_warning(p, 17, "UNZ reference \"8\" differs");
    expect_warning(p, 0, "CNT+41 declares 5 crew, 2 read");
    limen_paxlst_free(p);

    /* No UNT, no UNZ: kept, with warnings; travellers are not dropped. */
    snprintf(buf, sizeof buf, "%sNAD+FL+++DOE:JANE'", head);
    p = parse_str(buf);
    assert_int_equal(limen_paxlst_traveller_count(p), 1);
    expect_warning(p, 3, "no UNT");
    expect_warning(p, 0, "no UNZ");
    expect_warning(p, 0, "1 passengers read, none declared");
    limen_paxlst_free(p);

    /* Two messages (multi-part): travellers of both, counts summed. */
    snprintf(buf, sizeof buf,
             "%sNAD+FL+++A:B'CNT+42:1'UNT+4+1'UNH+2+PAXLST:D:05B:UN:IATA+X+02:F'NAD+FL+++C:D'"
             "CNT+42:1'UNT+4+2'UNZ+2+9'",
             head);
    p = parse_str(buf);
    expect_counts(p, 2, 2, 0, -1);
    assert_int_equal(limen_paxlst_message_count(p), 2);
    assert_int_equal(limen_paxlst_traveller(p, 1)->message, 1);
    assert_int_equal(limen_paxlst_warning_count(p), 0);
    limen_paxlst_free(p);

    /* A long value is cut at a character boundary. */
    char big[400];
    memset(big, 'A', sizeof big);
    memcpy(big + 126, "\xC3\xA9", 2);
    snprintf(buf, sizeof buf, "%sNAD+FL+++%.*s'CNT+42:1'UNT+4+1'UNZ+1+9'", head, (int)sizeof big,
             big);
    p = parse_str(buf);
    assert_int_equal(strlen(limen_paxlst_traveller(p, 0)->surname_raw), 126);
    expect_warning(p, 3, "surname longer than 127 bytes, truncated");
    limen_paxlst_free(p);
}

static void test_errors(void **state)
{
    (void)state;
    char buf[1024];
    expect_error("", 0, NULL, LIMEN_EEMPTY, 0, 0, "empty");
    expect_error(" \r\n", 3, NULL, LIMEN_EEMPTY, 0, 0, "empty");
    const char *s = "UNB+UNOA:4+S+R+200130:0300+9'UNZ+0+9'";
    expect_error(s, strlen(s), NULL, LIMEN_EMISSING, 2, strlen(s), "no UNH");
    s = "UNB+UNOA:4+S+R+200130:0300+9'NAD+FL+++DOE'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 2, 29, "no UNH");
    s = "UNB+UNOA:4+S+R+200130:0300+9'UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++DO";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 3, 56, "no segment terminator");
    s = "UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++DOE?";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 2, 39, "release character at the end");
    s = "UNH+1+CUSRES:D:05B:UN'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 1, 6, "not PAXLST");
    expect_error("\x7f\x45LF\x02\x01", 6, NULL, LIMEN_ESYNTAX, 1, 0, "control byte 0x7F");
    s = "UNH+1+PAXLST'NAD+FL+++A\x01'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 2, 23, "control byte 0x01");
    s = "PK\x03\x04";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 1, 2, "control byte 0x03");
    s = "hello world'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 1, 0, "bad segment tag");
    s = "UNH+1+PAXLST'BGM+745'UNB+X'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 3, 21, "not the first segment");
    s = "BGM+745'UNH+1+PAXLST'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 1, 0, "should open the interchange");
    s = "UNA:+";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 0, 0, "UNA service string advice cut short");
    s = "UNA::.? 'UNH+1+PAXLST'";
    expect_error(s, strlen(s), NULL, LIMEN_ESYNTAX, 0, 3, "not distinct");
    snprintf(buf, sizeof buf, "%sUNB+X'", head);
    expect_error(buf, strlen(buf), NULL, LIMEN_ESYNTAX, 3, strlen(head), "second UNB");

    struct limen_paxlst *p = NULL;
    assert_int_equal(limen_paxlst_parse(NULL, 1, NULL, &p, NULL), LIMEN_EINVAL);
    assert_int_equal(limen_paxlst_parse("x", 1, NULL, NULL, NULL), LIMEN_EINVAL);
    assert_int_equal(limen_paxlst_parse("x'", 2, NULL, &p, NULL), LIMEN_ESYNTAX);
    assert_null(p);
}

static void test_limits(void **state)
{
    (void)state;
    char buf[4096];
    struct limen_paxlst_options o = {0};
    o.max_input = 10;
    expect_error(head, strlen(head), &o, LIMEN_ETOOLONG, 0, 10, "input longer than 10 bytes");

    o.max_input = 0;
    o.max_segment = 64;
    snprintf(buf, sizeof buf, "%sNAD+FL+++%070d'", head, 0);
    expect_error(buf, strlen(buf), &o, LIMEN_ETOOLONG, 3, strlen(head), "longer than 64 bytes");

    o.max_segment = 0;
    o.max_travellers = 2;
    snprintf(buf, sizeof buf, "%sNAD+FL+++A'NAD+FL+++B'NAD+FL+++C'", head);
    expect_error(buf, strlen(buf), &o, LIMEN_ELIMIT, 5, strlen(head) + 22,
                 "more than 2 travellers");

    char many[200];
    memset(many, '+', sizeof many);
    snprintf(buf, sizeof buf, "%sFTX%.*s'", head, LIMEN_PAXLST_ELEMENTS_MAX, many);
    expect_error(buf, strlen(buf), NULL, LIMEN_ELIMIT, 3, strlen(head) + 3 + 39,
                 "more than 40 data elements");
    memset(many, ':', sizeof many);
    snprintf(buf, sizeof buf, "%sFTX+%.*s'", head, LIMEN_PAXLST_COMPONENTS_MAX, many);
    expect_error(buf, strlen(buf), NULL, LIMEN_ELIMIT, 3, strlen(head) + 4 + 15,
                 "more than 16 components");

    /* Warnings beyond the kept maximum are counted; documents and references too. */
    struct {
        char *d;
        size_t n;
    } b = {malloc(1 << 16), 0};
    assert_non_null(b.d);
    b.n = (size_t)snprintf(b.d, 1 << 16, "%s", head);
    for (int i = 0; i < 300; i++)
        b.n += (size_t)snprintf(b.d + b.n, (1 << 16) - b.n, "NAD+FL'");
    b.n += (size_t)snprintf(b.d + b.n, (1 << 16) - b.n,
                            "NAD+FL+++X'DOC+P+1'DOC+P+2'DOC+P+3'DOC+P+4'DOC+P+5'DTM+36:300101'"
                            "RFF+A:1'RFF+A:2'RFF+A:3'RFF+A:4'RFF+A:5'RFF+A:6'RFF+A:7'"
                            "CNT+42:301'UNT+2+1'UNZ+1+9'");
    struct limen_paxlst *p = parse_ok(b.d, b.n);
    free(b.d);
    assert_int_equal(limen_paxlst_traveller_count(p), 301);
    assert_true(limen_paxlst_warning_count(p) > LIMEN_PAXLST_WARNINGS_MAX);
    assert_non_null(limen_paxlst_warning(p, LIMEN_PAXLST_WARNINGS_MAX - 1));
    assert_null(limen_paxlst_warning(p, LIMEN_PAXLST_WARNINGS_MAX));
    const struct limen_paxlst_traveller *t = limen_paxlst_traveller(p, 300);
    assert_int_equal(t->document_count, LIMEN_PAXLST_DOCS_MAX);
    assert_int_equal(t->documents_dropped, 1);
    assert_string_equal(t->documents[3].expiry, ""); /* the DTM went with the dropped DOC */
    assert_int_equal(t->reference_count, LIMEN_PAXLST_REFS_MAX);
    assert_int_equal(t->references_dropped, 1);
    limen_paxlst_free(p);
}

static void test_json_and_entity(void **state)
{
    (void)state;
    struct limen_paxlst *p = parse_sample("gtas-job-scheduler-war_tamr__flight1.txt");
    size_t len = 0;
    char *json = limen_paxlst_to_json(p, &len);
    assert_non_null(json);
    assert_int_equal(strlen(json), len);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root)
        fail_msg("bad JSON: %s", jerr.text);
    assert_int_equal(json_array_size(json_object_get(root, "travellers")), 10);
    json_t *pax = json_object_get(json_object_get(root, "counts"), "passengers");
    assert_int_equal(json_integer_value(json_object_get(pax, "read")), 10);
    assert_int_equal(json_integer_value(json_object_get(pax, "declared")), 10);
    assert_true(json_is_null(
        json_object_get(json_object_get(json_object_get(root, "counts"), "crew"), "declared")));
    assert_int_equal(json_array_size(json_object_get(root, "warnings")), 2);
    json_t *t0 = json_array_get(json_object_get(root, "travellers"), 0);
    assert_string_equal(json_string_value(json_object_get(t0, "surname")), "JIANG");
    json_decref(root);
    limen_free(json);

    struct limen_entity *e = NULL;
    assert_int_equal(limen_paxlst_traveller_entity(p, 1, &e), LIMEN_OK);
    assert_string_equal(limen_entity_id(e), "paxlst-2");
    assert_string_equal(limen_entity_value(e, "name", 0, NULL), "LISA ALVINA CAPONE");
    assert_string_equal(limen_entity_value(e, "firstName", 0, NULL), "LISA ALVINA");
    assert_string_equal(limen_entity_value(e, "lastName", 0, NULL), "CAPONE");
    assert_string_equal(limen_entity_value(e, "birthDate", 0, NULL), "1972-08-05");
    assert_string_equal(limen_entity_value(e, "gender", 0, NULL), "female");
    assert_string_equal(limen_entity_value(e, "nationality", 0, NULL), "us");
    assert_string_equal(limen_entity_value(e, "passportNumber", 0, NULL), "907316631");
    limen_entity_free(e);
    /* a document without type is an idNumber; the visa is left out */
    assert_int_equal(limen_paxlst_traveller_entity(p, 0, &e), LIMEN_OK);
    assert_string_equal(limen_entity_value(e, "idNumber", 0, NULL), "433419360");
    assert_int_equal(limen_entity_count(e, "idNumber"), 1);
    assert_int_equal(limen_entity_count(e, "passportNumber"), 0);
    assert_string_equal(limen_entity_value(e, "nationality", 0, NULL), "cn");
    limen_entity_free(e);
    assert_int_equal(limen_paxlst_traveller_entity(p, 10, &e), LIMEN_ENOTFOUND);
    assert_null(e);
    assert_int_equal(limen_paxlst_traveller_entity(NULL, 0, &e), LIMEN_EINVAL);
    limen_paxlst_free(p);

    p = parse_str("UNH+1+PAXLST'NAD+FL'UNT+3+1'");
    assert_int_equal(limen_paxlst_traveller_entity(p, 0, &e), LIMEN_EEMPTY);
    assert_null(e);
    limen_paxlst_free(p);
    limen_paxlst_free(NULL);
    assert_null(limen_paxlst_to_json(NULL, NULL));
    assert_int_equal(limen_paxlst_traveller_count(NULL), 0);
    assert_string_equal(limen_paxlst_role_name(LIMEN_PAXLST_OTHER), "other");
}

static void test_alloc_failure(void **state)
{
    (void)state;
    size_t len;
    char *data = read_sample("gtas-loader__Test1.txt", &len);
    int done = 0;
    for (unsigned long n = 1; n < 10000 && !done; n++) {
        struct limen_paxlst *p = NULL;
        struct limen_error err;
        limen__alloc_fail_after(n, 1);
        limen_status st = limen_paxlst_parse(data, len, NULL, &p, &err);
        char *json = NULL;
        struct limen_entity *e = NULL;
        limen_status est = LIMEN_ENOMEM;
        if (st == LIMEN_OK) {
            json = limen_paxlst_to_json(p, NULL);
            est = limen_paxlst_traveller_entity(p, 0, &e);
        }
        limen__alloc_fail_after(0, 0);
        if (st != LIMEN_OK) {
            assert_int_equal(st, LIMEN_ENOMEM);
            assert_null(p);
            continue;
        }
        if (json && est == LIMEN_OK)
            done = 1;
        else if (est != LIMEN_OK)
            assert_int_equal(est, LIMEN_ENOMEM);
        limen_free(json);
        limen_entity_free(e);
        limen_paxlst_free(p);
    }
    free(data);
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flight1),         cmocka_unit_test(test_flight2),
        cmocka_unit_test(test_flight3),         cmocka_unit_test(test_test1_crew),
        cmocka_unit_test(test_test3_large),     cmocka_unit_test(test_airline2_custom_una),
        cmocka_unit_test(test_multi_leg),       cmocka_unit_test(test_apis_message),
        cmocka_unit_test(test_una_and_release), cmocka_unit_test(test_defects),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_limits),
        cmocka_unit_test(test_json_and_entity), cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
