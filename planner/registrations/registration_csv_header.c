/*
 * registration_csv_header.c - the header line of a registrations file
 * (English, French, form tools' names, or a mapping's), and yes/no values.
 */
#include "registration_csv_internal.h"

#include <string.h>
#include <stdlib.h>

/* Header names, folded (pl_csv_fold): English, French, and what form tools
 * commonly write. */
static const struct {
    const char *key;
    col column;
} headers[] = {
    {"name", COL_NAME},
    {"nom", COL_NAME},
    {"fullname", COL_NAME},
    {"nomcomplet", COL_NAME},
    {"prenomnom", COL_NAME},
    {"nomprenom", COL_NAME},
    {"firstname", COL_FIRST_NAME},
    {"givenname", COL_FIRST_NAME},
    {"prenom", COL_FIRST_NAME},
    {"email", COL_EMAIL},
    {"courriel", COL_EMAIL},
    {"mail", COL_EMAIL},
    {"emailaddress", COL_EMAIL},
    {"adresseemail", COL_EMAIL},
    {"adressemail", COL_EMAIL},
    {"adressecourriel", COL_EMAIL},
    {"organization", COL_ORGANIZATION},
    {"organisation", COL_ORGANIZATION},
    {"structure", COL_ORGANIZATION},
    {"organisme", COL_ORGANIZATION},
    {"origin", COL_ORIGIN},
    {"origine", COL_ORIGIN},
    {"commune", COL_ORIGIN},
    {"codepostal", COL_ORIGIN},
    {"postcode", COL_ORIGIN},
    {"postalcode", COL_ORIGIN},
    {"ville", COL_ORIGIN},
    {"city", COL_ORIGIN},
    {"phone", COL_PHONE},
    {"telephone", COL_PHONE},
    {"tel", COL_PHONE},
    {"mobile", COL_PHONE},
    {"travel", COL_TRAVEL},
    {"mode", COL_TRAVEL},
    {"covoiturage", COL_TRAVEL},
    {"carpool", COL_TRAVEL},
    {"seats", COL_SEATS},
    {"places", COL_SEATS},
    {"placeslibres", COL_SEATS},
    {"meal", COL_MEAL},
    {"lunch", COL_MEAL},
    {"repas", COL_MEAL},
    {"dejeuner", COL_MEAL},
    {"diet", COL_DIET},
    {"regime", COL_DIET},
    {"regimealimentaire", COL_DIET},
    {"public", COL_PUBLIC},
    {"publiclist", COL_PUBLIC},
    {"listepublique", COL_PUBLIC},
    {"sessions", COL_SESSIONS},
    {"sharephone", COL_SHARE_PHONE},
    {"partagetelephone", COL_SHARE_PHONE},
    {"partagedutelephone", COL_SHARE_PHONE},
    {"ateliers", COL_SESSIONS},
    {"workshops", COL_SESSIONS},
    {"ranks", COL_RANKS},
    {"preferences", COL_RANKS},
    {"workshoppreferences", COL_RANKS},
    {"ordredepreference", COL_RANKS},
    {"ordredepreferences", COL_RANKS},
    {"ateliersordredepreference", COL_RANKS},
    {"ateliersordredepreferences", COL_RANKS},
    {"classement", COL_RANKS},
    {"uid", COL_SKIP},
    {"status", COL_SKIP},
    {"statut", COL_SKIP},
    {"waitlistposition", COL_SKIP},
    {"waitlistreason", COL_SKIP},
    {"sessionwaitlist", COL_SKIP},
    {"created", COL_SKIP},
    {"updated", COL_SKIP},
};

int reg_csv_read_header(importer *im)
{
    size_t n = pl_csv_count(im->csv);
    int seen[NCOLS] = {0};
    int line = pl_csv_line(im->csv);

    if (!(im->map = calloc(n, sizeof(*im->map))))
        return PL_ERROR;
    im->ncols = n;
    for (size_t i = 0; i < n; i++) {
        const char *h = pl_csv_field(im->csv, i);
        char key[64];
        size_t k;
        pl_csv_fold(key, sizeof(key), h);
        im->map[i] = COL_NONE;
        if (im->opts && im->opts->map) {
            const char *target = pl_csv_map_column(im->opts->map, h);
            if (target) {
                int c = 0;
                while (c < NCOLS && strcmp(reg_csv_col_names[c], target) != 0)
                    c++;
                im->map[i] = c < NCOLS ? (col)c : COL_SKIP; /* "ignore" */
                if (c < NCOLS && seen[c]++ && c != COL_ORIGIN)
                    reg_csv_report(im, 0, line, "header", "column %s given twice (\"%.60s\")",
                                   reg_csv_col_names[c], h);
                continue;
            }
        }
        if (!key[0]) {
            if (strspn(h, " \t") != strlen(h))
                reg_csv_report(im, 0, line, "header", "unknown column \"%.60s\"", h);
            continue;
        }
        for (k = 0; k < sizeof(headers) / sizeof(headers[0]); k++)
            if (strcmp(key, headers[k].key) == 0)
                break;
        if (k == sizeof(headers) / sizeof(headers[0])) {
            reg_csv_report(
                im, 0, line, "header",
                "unknown column \"%.60s\" (known: name/nom, email/courriel, "
                "organization/structure, origin/commune/code postal, phone/téléphone, "
                "travel/mode, seats/places, meal/repas, diet/régime, public/liste publique, "
                "sessions, workshop preferences/ordre de préférence; delete other columns, or "
                "name them in a mapping: --map)",
                h);
            continue;
        }
        im->map[i] = headers[k].column;
        if (im->map[i] == COL_SKIP)
            continue;
        /* Several origin columns (code postal, commune) are joined. */
        if (seen[headers[k].column]++ && headers[k].column != COL_ORIGIN)
            reg_csv_report(im, 0, line, "header", "column %s given twice (\"%.60s\")",
                           reg_csv_col_names[headers[k].column], h);
    }
    if (!seen[COL_NAME])
        reg_csv_report(im, 0, line, "header", "no name column (name or nom)");
    if (!seen[COL_EMAIL])
        reg_csv_report(im, 0, line, "header", "no email column (email, courriel or e-mail)");
    return 0;
}
