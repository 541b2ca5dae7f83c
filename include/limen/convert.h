/*
 * Converters from published list formats to FollowTheMoney (FtM) entities.
 *
 * OFAC's Specially Designated Nationals list comes as three CSV files
 * (https://ofac.treasury.gov, "SDN.CSV", "ALT.CSV", "ADD.CSV"):
 *   SDN: ent_num, name, type, program, title, call_sign, vessel_type,
 *        tonnage, grt, vessel_flag, vessel_owner, remarks
 *   ALT: ent_num, alt_num, alt_type (aka / fka / nka), alt_name, remarks
 *   ADD: ent_num, add_num, address, city/state/zip, country, remarks
 * Empty cells hold "-0-". limen_ofac_convert() joins them into one FtM entity
 * per SDN row: Person (type "individual"), Vessel, Airplane or Organization,
 * id "ofac-<ent_num>", with:
 *   name (as listed, "SURNAME, Given"), firstName/lastName for persons,
 *   alias (aka, nka), previousName (fka), weakAlias (the quoted a.k.a.s of
 *   the remarks), birthDate (every DOB form of the remarks: "12 Jan 1960",
 *   "Jan 1960", "1960", "circa 1960", ranges "1960 to 1962"), birthPlace,
 *   nationality and citizenship (ISO alpha-2 codes when the country is
 *   known), gender, passportNumber, idNumber, taxNumber, email, website,
 *   phone, imoNumber, mmsi, program, position (title), the vessel fields,
 *   address and country (ADD), and every remark clause it does not
 *   understand kept verbatim in notes: nothing of the source is dropped.
 *
 * Thread-safe: no shared state.
 */
#ifndef LIMEN_CONVERT_H
#define LIMEN_CONVERT_H

#include <stddef.h>
#include <stdio.h>

#include "limen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a conversion read and wrote. */
struct limen_ofac_stats {
    size_t sdn_rows;      /* rows read from SDN */
    size_t persons, organizations, vessels, aircraft;
    size_t alt_rows, aliases, previous_names; /* ALT rows; aka/nka and fka names */
    size_t alt_orphans;   /* ALT rows whose ent_num is not in SDN */
    size_t add_rows, addresses, add_orphans;
    size_t weak_aliases;  /* quoted a.k.a.s taken from the remarks */
    size_t birth_dates;   /* birthDate values written */
    size_t dob_unparsed;  /* DOB clauses not understood (kept in notes) */
    size_t documents;     /* passportNumber + idNumber values */
    size_t countries_unknown; /* nationality/citizenship not mapped to a code (kept as text) */
    size_t notes;         /* remark clauses kept verbatim */
    size_t truncated;     /* values cut at LIMEN_ENTITY_MAX_VALUE bytes */
    size_t duplicate_ids; /* SDN rows whose ent_num was seen before */
};

/*
 * Receives one entity as one line of compact JSON (no newline). Returns 0 to
 * go on, non-zero to stop the conversion with LIMEN_EIO.
 */
typedef int (*limen_emit_fn)(void *ctx, const char *json, size_t len);

/*
 * Converts the OFAC CSV triple. `sdn` and `alt` are required, `add` may be
 * NULL; the *_name arguments name the files in error messages (may be NULL).
 * Entities are emitted in SDN order. `stats` may be NULL. On a malformed
 * row (CSV syntax, a missing or non-numeric ent_num, too few columns) the
 * conversion stops and `err` (may be NULL) says which file, line and field.
 * The FILEs stay the caller's.
 */
limen_status limen_ofac_convert(FILE *sdn, const char *sdn_name, FILE *alt, const char *alt_name,
                                FILE *add, const char *add_name, limen_emit_fn emit, void *ctx,
                                struct limen_ofac_stats *stats, struct limen_error *err);

#ifdef __cplusplus
}
#endif

#endif
