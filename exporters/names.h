/*
 * names.h - a person's name as typed, split into last and first name for
 * the lists French organisers sign and file (Nom, Prénom).
 *
 * The name is one field in a registration ("Anne de La Tour"). The split:
 *   - words in capitals before or after the others are the last name
 *     ("DUPONT Marie", "Marie DUPONT");
 *   - else the last name starts at the first particle or article after the
 *     first word ("Anne de La Tour", "Yann Le Goff", "Inès D'Almeida",
 *     "Jan van der Berg");
 *   - else it is the last word ("Marie Claire Dupont": Dupont, Marie Claire).
 * One word is a last name alone.
 *
 * Filing: a last name files without its leading lower-case particle "de"
 * or "d'" ("de La Tour" under L, "d'Almeida" under A), as French lists do;
 * articles stay ("Le Goff" under L, "du Bellay" under D), and "D'Almeida",
 * capitalised, files under D.
 */
#ifndef PL_NAMES_H
#define PL_NAMES_H

#include <stddef.h>

/* Split full (NULL: "") into last and first (always NUL-terminated; first
 * may be ""). White space is collapsed. */
void pl_name_split(const char *full, char *last, size_t last_size, char *first, size_t first_size);

/* Where last files: a pointer into last past its leading lower-case "de "
 * or "d'" (last itself when there is none, or when nothing follows). */
const char *pl_name_filing(const char *last);

#endif
