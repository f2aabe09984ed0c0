/*
 * gen_registrations - write an N-row registrations file, as a French form
 * tool exports it (UTF-8 with BOM, ';', CRLF, French headers, some quoted
 * fields), for the event written by --event.
 *
 *   gen_registrations N [SEED] > regs.csv
 *   gen_registrations --event SLUG CAPACITY SESSION_CAPACITY > event.json
 *
 * The same N and SEED give the same file. Invented people only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const first[] = {
    "Céline",       "Jean-Baptiste", "Sandrine", "Olivier", "Hélène",   "Franck",
    "Aurélie",      "Bruno",         "Nathalie", "Yannick", "Marion",   "Karine",
    "Thierry",      "Sophie",        "Éric",     "Camille", "Stéphane", "Isabelle",
    "Marie-Claire", "Luc",           "Zoé",      "Mathieu", "Inès",     "Rémi",
};
static const char *const last[] = {
    "Vasseur",   "Le Goff", "Poulain",       "Marchetti", "Dufresne", "Delorme",
    "D'Almeida", "Lacaze",  "Giraud-Perrin", "Roux",      "Lecoq",    "Lemaire",
    "Vannier",   "Nguyen",  "Texier",        "Fabre",     "Kowalski", "Caron",
    "Benali",    "Moreau",  "Lefèvre",       "Garnier",   "Faure",    "Chevalier",
};
static const char *const orgs[] = {
    "Métropole — direction des mobilités",
    "CCI — pôle entreprises",
    "\"Mobilité & Territoires; bureau d'études\"",
    "Association \"\"Cycl'Avenir\"\"",
    "Syndicat mixte de transport",
    "Agence d'urbanisme",
    "Parc naturel régional",
    "Communauté de communes",
    "",
    "Région — direction des transports",
};
static const char *const origins[] = {
    "45000 Orléans",      "Chartres",    "Dreux (28)",   "76000 Rouen", "Amiens (80)",
    "Beauvais 60000",     "Reims",       "Troyes 10000", "Sens (89)",   "Évreux",
    "Paris 15e",          "75011 Paris", "Lyon",         "59000 Lille", "Saint-Denis 93",
    "Évry-Courcouronnes", "31000",       "Rennes (35)",
};
static const char *const diets[] = {"végétarien", "vegan", "sans gluten", "halal", "sans porc"};
static const char *const sessions[] = {"atelier-pdie", "atelier-covoiturage", "atelier-flottes"};

static uint64_t state = 88172645463325252ULL;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

#define PICK(a) (a[next() % (sizeof(a) / sizeof(a[0]))])

static int event(const char *slug, int capacity, int session_capacity)
{
    printf("{\n  \"slug\": \"%s\",\n  \"title\": \"Benchmark workshop\",\n"
           "  \"format\": \"in_person\",\n  \"timezone\": \"Europe/Paris\",\n"
           "  \"start\": \"2026-12-10T09:30\",\n  \"end\": \"2026-12-10T17:00\",\n"
           "  \"venue\": {\"name\": \"Salle\", \"lat\": 48.85, \"lon\": 2.35},\n"
           "  \"capacity\": %d,\n  \"status\": \"published\",\n  \"sessions\": [\n",
           slug, capacity);
    for (int i = 0; i < 3; i++)
        printf("    {\"id\": \"%s\", \"title\": \"Atelier %d\", \"kind\": \"workshop\", "
               "\"start\": \"11:00\", \"end\": \"12:30\", \"room\": \"Salle %d\", "
               "\"capacity\": %d},\n",
               sessions[i], i + 1, i + 1, session_capacity);
    printf("    {\"id\": \"forum-ouvert\", \"title\": \"Forum\", \"kind\": \"forum\", "
           "\"start\": \"14:00\", \"end\": \"16:30\", \"room\": \"Salle 1\"}\n  ]\n}\n");
    return 0;
}

int main(int argc, char **argv)
{
    long n;

    if (argc == 5 && strcmp(argv[1], "--event") == 0)
        return event(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc < 2 || argc > 3 || (n = strtol(argv[1], NULL, 10)) < 0) {
        fprintf(stderr, "usage: gen_registrations N [SEED] > regs.csv\n"
                        "       gen_registrations --event SLUG CAPACITY SESSION_CAPACITY\n");
        return 2;
    }
    if (argc == 3)
        state ^= strtoull(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ULL;
    fputs("\xEF\xBB\xBFNom;Courriel;Structure;Commune;Mode;Places;Repas;Régime;Liste publique;"
          "Sessions\r\n",
          stdout);
    for (long i = 0; i < n; i++) {
        const char *f = PICK(first), *l = PICK(last);
        unsigned t = (unsigned)(next() % 100), s = (unsigned)(next() % 100);
        const char *mode = t < 30   ? "conducteur"
                           : t < 75 ? "passager"
                           : t < 85 ? "flexible"
                                    : "aucun";
        int drives = t < 30 || (t >= 75 && t < 85), meal = next() % 10 != 0;
        char seats[8] = "";
        if (drives)
            snprintf(seats, sizeof(seats), "%d", (int)(next() % 4) + 1);
        printf("%s %s;p%ld.%c@example.org;%s;%s;%s;%s;%s;%s;%s;", f, l, i, l[0] | 0x20, PICK(orgs),
               PICK(origins), mode, seats, meal ? "oui" : "non",
               meal && next() % 4 == 0 ? PICK(diets) : "", next() % 5 ? "oui" : "non");
        if (s < 40)
            fputs(PICK(sessions), stdout);
        else if (s < 50)
            printf("%s|forum-ouvert", PICK(sessions));
        fputs("\r\n", stdout);
    }
    return 0;
}
