/*
 * names.c - last and first names (see names.h).
 */
#include "names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_WORDS 32

typedef struct word {
    const char *s;
    size_t n;
} word;

/* Particles and articles that begin a last name (compared without case). */
static int is_particle(const word *w)
{
    static const char *const words[] = {"de",  "du",  "des", "le",  "la",  "les",   "van",   "von",
                                        "der", "den", "di",  "da",  "del", "della", "dos",   "das",
                                        "ben", "el",  "al",  "ter", "mac", "saint", "sainte"};
    /* d'Almeida, D'Almeida, l'Hermite, with a straight or typographic apostrophe */
    if (w->n > 2 && strchr("dDlL", w->s[0]) &&
        (w->s[1] == '\'' || (w->n > 4 && memcmp(w->s + 1, "\xE2\x80\x99", 3) == 0)))
        return 1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i]) == w->n && strncasecmp(words[i], w->s, w->n) == 0)
            return 1;
    return 0;
}

/* A word in capitals: two letters or more, none in lower case (ASCII and
 * Latin-1's à-ÿ in UTF-8). */
static int is_capitals(const word *w)
{
    size_t letters = 0;

    for (size_t i = 0; i < w->n; i++) {
        unsigned char c = (unsigned char)w->s[i];
        if (c >= 'a' && c <= 'z')
            return 0;
        if (c == 0xC3 && i + 1 < w->n) {
            unsigned char d = (unsigned char)w->s[++i];
            if (d >= 0xA0)
                return 0;
            letters++;
        } else if (c >= 'A' && c <= 'Z') {
            letters++;
        }
    }
    return letters >= 2;
}

static void join(char *out, size_t size, const word *w, size_t from, size_t to)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = from; i < to && len + 1 < size; i++) {
        int n = snprintf(out + len, size - len, "%s%.*s", i > from ? " " : "", (int)w[i].n, w[i].s);
        if (n < 0 || (size_t)n >= size - len) {
            out[size - 1] = '\0';
            return;
        }
        len += (size_t)n;
    }
}

void pl_name_split(const char *full, char *last, size_t last_size, char *first, size_t first_size)
{
    word w[MAX_WORDS];
    size_t n = 0, at;

    for (const char *p = full ? full : ""; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        if (n < MAX_WORDS)
            w[n++] = (word){start, (size_t)(p - start)};
        else
            w[n - 1].n = (size_t)(p - w[n - 1].s); /* the rest in the last word */
    }
    if (n <= 1) {
        join(last, last_size, w, 0, n);
        first[0] = '\0';
        return;
    }
    /* capitals first: "DUPONT Marie" */
    for (at = 0; at < n && is_capitals(&w[at]); at++)
        ;
    if (at > 0 && at < n) {
        join(last, last_size, w, 0, at);
        join(first, first_size, w, at, n);
        return;
    }
    /* capitals last: "Marie DUPONT", "Anne DE LA TOUR" */
    for (at = n; at > 1 && is_capitals(&w[at - 1]); at--)
        ;
    if (at < n) {
        join(last, last_size, w, at, n);
        join(first, first_size, w, 0, at);
        return;
    }
    /* a name that begins with a particle begins with its last name:
     * "de la Tour Jean" */
    if (is_particle(&w[0]) && w[0].s[0] >= 'a' && w[0].s[0] <= 'z') {
        join(last, last_size, w, 0, n - 1);
        join(first, first_size, w, n - 1, n);
        return;
    }
    /* from the first particle after the first word */
    for (at = 1; at < n - 1 && !is_particle(&w[at]); at++)
        ;
    join(last, last_size, w, at, n);
    join(first, first_size, w, 0, at);
}

const char *pl_name_filing(const char *last)
{
    const char *p = last ? last : "";

    /* the particle "de" (or "d'") in lower case: articles (La, Le, du, des)
     * stay, as French lists file "de La Tour" under L and "du Bellay"
     * under D */
    if (strncmp(p, "de ", 3) == 0 && p[3])
        return p + 3;
    if (strncmp(p, "d'", 2) == 0 && p[2])
        return p + 2;
    if (strncmp(p, "d\xE2\x80\x99", 4) == 0 && p[4])
        return p + 4;
    return p;
}
