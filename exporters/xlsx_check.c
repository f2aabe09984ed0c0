/*
 * xlsx_check.c - see xlsx_check.h. Reads the zip's central directory (no
 * zip64: libxlsxwriter is run without it) and inflates each XML part with
 * zlib, keeping only its first and last bytes.
 */
#include "xlsx_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HEAD 512
#define TAIL 64

typedef struct part {
    char head[HEAD + 1];
    size_t nhead;
    char tail[TAIL];
    size_t ntail;
    unsigned long total;
} part;

static unsigned u16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void keep(part *pt, const unsigned char *data, size_t n)
{
    for (size_t i = 0; i < n && pt->nhead < HEAD; i++)
        pt->head[pt->nhead++] = (char)data[i];
    if (n >= TAIL) {
        memcpy(pt->tail, data + n - TAIL, TAIL);
        pt->ntail = TAIL;
    } else {
        size_t drop = pt->ntail + n > TAIL ? pt->ntail + n - TAIL : 0;
        memmove(pt->tail, pt->tail + drop, pt->ntail - drop);
        memcpy(pt->tail + pt->ntail - drop, data, n);
        pt->ntail = pt->ntail - drop + n;
    }
    pt->total += (unsigned long)n;
}

/* Inflate (or copy, method 0) csize bytes at the current position. */
static int read_part(FILE *f, unsigned method, uint32_t csize, part *pt)
{
    unsigned char in[16384], out[65536];
    z_stream z;
    int zrc = Z_OK, rc = -1;

    memset(&z, 0, sizeof(z));
    if (method == 8 && inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return -1;
    while (csize > 0 && zrc != Z_STREAM_END) {
        size_t n = fread(in, 1, csize < sizeof(in) ? csize : sizeof(in), f);
        if (n == 0)
            goto done;
        csize -= (uint32_t)n;
        if (method == 0) {
            keep(pt, in, n);
            continue;
        }
        z.next_in = in;
        z.avail_in = (uInt)n;
        do {
            z.next_out = out;
            z.avail_out = sizeof(out);
            zrc = inflate(&z, Z_NO_FLUSH);
            if (zrc != Z_OK && zrc != Z_STREAM_END)
                goto done;
            keep(pt, out, sizeof(out) - z.avail_out);
        } while (z.avail_in > 0 && zrc != Z_STREAM_END);
    }
    rc = method == 0 || zrc == Z_STREAM_END ? 0 : -1;
done:
    if (method == 8)
        inflateEnd(&z);
    return rc;
}

/* Does the part end with the closing tag of its root element? */
static int complete(part *pt)
{
    const char *p = pt->head;
    char close[80];
    size_t n = 0, len, end = pt->ntail;

    pt->head[pt->nhead] = '\0';
    while ((p = strchr(p, '<')) != NULL && (p[1] == '?' || p[1] == '!'))
        p++;
    if (!p)
        return 0;
    close[n++] = '<';
    close[n++] = '/';
    for (p++; *p && !strchr(" \t\r\n/>", *p) && n < sizeof(close) - 2; p++)
        close[n++] = *p;
    close[n++] = '>';
    len = n;
    while (end > 0 && strchr(" \t\r\n", pt->tail[end - 1]))
        end--;
    /* a root that closes itself ("<x/>") is complete too */
    if (end >= 2 && memcmp(pt->tail + end - 2, "/>", 2) == 0 && pt->total < HEAD)
        return 1;
    return end >= len && memcmp(pt->tail + end - len, close, len) == 0;
}

int pl_xlsx_check(const char *path, const char *name, pl_error *err)
{
    unsigned char eocd[22], cd[46], lh[30];
    char fname[256];
    FILE *f = fopen(path, "rb");
    long size;
    uint32_t cd_off, entries;
    int rc = PL_EIO;

    if (!f)
        return pl_error_set(err, PL_EIO, "%s: cannot read back the workbook", name);
    /* libxlsxwriter writes no zip comment: the end record is the last 22 bytes */
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 22 ||
        fseek(f, size - 22, SEEK_SET) != 0 || fread(eocd, 1, 22, f) != 22 ||
        u32(eocd) != 0x06054b50)
        goto bad;
    entries = u16(eocd + 10);
    cd_off = u32(eocd + 16);
    for (uint32_t i = 0; i < entries;
         i++, cd_off += 46 + u16(cd + 28) + u16(cd + 30) + u16(cd + 32)) {
        unsigned nlen;
        uint32_t csize, usize, local;
        part pt;

        if (fseek(f, (long)cd_off, SEEK_SET) != 0 || fread(cd, 1, 46, f) != 46 ||
            u32(cd) != 0x02014b50)
            goto bad;
        nlen = u16(cd + 28);
        if (nlen >= sizeof(fname) || fread(fname, 1, nlen, f) != nlen)
            goto bad;
        fname[nlen] = '\0';
        if (nlen < 4 || strcmp(fname + nlen - 4, ".xml") != 0)
            continue;
        csize = u32(cd + 20);
        usize = u32(cd + 24);
        local = u32(cd + 42);
        if (fseek(f, (long)local, SEEK_SET) != 0 || fread(lh, 1, 30, f) != 30 ||
            u32(lh) != 0x04034b50 || fseek(f, (long)(u16(lh + 26) + u16(lh + 28)), SEEK_CUR) != 0)
            goto bad;
        memset(&pt, 0, sizeof(pt));
        if (read_part(f, u16(cd + 10), csize, &pt) != 0 || pt.total != usize || !complete(&pt)) {
            rc = pl_error_set(err, PL_EIO,
                              "%s: the workbook came out incomplete (%s is cut short; is the disk "
                              "or the temporary folder full?)",
                              name, fname);
            goto done;
        }
    }
    rc = 0;
    goto done;
bad:
    rc = pl_error_set(err, PL_EIO, "%s: the workbook came out damaged (is the disk full?)", name);
done:
    fclose(f);
    return rc;
}
