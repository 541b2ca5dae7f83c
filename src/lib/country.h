/*
 * Countries: ISO 3166-1 alpha-2 and alpha-3 codes, English names and the
 * common variants found in watchlists ("Burma", "Syria", "Korea, North",
 * "Congo, Democratic Republic of the", demonyms like "Egyptian"). Used to
 * normalise nationalities and issuing states to one comparable form: the
 * lowercase ISO alpha-2 code. Tables are static and read-only: thread-safe.
 */
#ifndef LIMEN_COUNTRY_H
#define LIMEN_COUNTRY_H

#include <stddef.h>

/*
 * Lowercase ISO 3166-1 alpha-2 code ("ma") for an alpha-2 code, an alpha-3
 * code, an English name or a known variant/demonym of a country, matched
 * case-insensitively and ignoring punctuation and extra spaces. Returns a
 * static string, or NULL when unknown.
 */
const char *limen__country_code(const char *s, size_t len);

/* Lowercase alpha-2 for an ISO 3166-1 alpha-3 code ("MAR" -> "ma"), or NULL. */
const char *limen__country_from_alpha3(const char *s, size_t len);

/* English short name for a lowercase alpha-2 code ("ma" -> "Morocco"), or NULL. */
const char *limen__country_name(const char *alpha2);

#endif
