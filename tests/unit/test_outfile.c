/* Writing a file all at once (outfile.c): names that are no file, a
 * folder, a device written in place, a link kept as a link, a file the
 * caller's library writes by name, a device that is full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "planner.h"
#include "outfile.h"
#include "test_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void names_that_are_no_file_are_refused(void **state)
{
    char dir[64], slash[80];
    pl_outfile of;
    pl_error err;
    (void)state;

    th_tempdir(dir, sizeof(dir));
    assert_int_equal(pl_outfile_open(&of, "", 1, &err), PL_EINVALID);
    assert_string_equal(err.msg, ": not a file name");
    snprintf(slash, sizeof(slash), "%s/", dir);
    assert_int_equal(pl_outfile_open(&of, slash, 1, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "not a file name"));
    assert_int_equal(pl_outfile_open(&of, dir, 1, &err), PL_EINVALID);
    assert_non_null(strstr(err.msg, "is a folder, not a file name"));
    /* a zeroed or released one is safe to abandon */
    memset(&of, 0, sizeof(of));
    pl_outfile_abort(&of);
    pl_outfile_abort(&of);
    th_rmtree(dir);
}

static void a_device_is_written_in_place(void **state)
{
    pl_outfile of;
    pl_error err;
    (void)state;

    assert_int_equal(pl_outfile_open(&of, "/dev/null", 1, &err), 0);
    assert_true(of.in_place);
    assert_string_equal(of.tmp, "/dev/null");
    fputs("gone", of.fp);
    assert_int_equal(pl_outfile_commit(&of, &err), 0);
    assert_null(of.target);
    /* not opened: the caller writes it */
    assert_int_equal(pl_outfile_open(&of, "/dev/null", 0, &err), 0);
    assert_null(of.fp);
    assert_int_equal(pl_outfile_commit(&of, &err), 0);
    /* a device that is full: the commit says the write failed */
    if (access("/dev/full", W_OK) == 0) {
        char block[8192];
        memset(block, 'x', sizeof(block));
        assert_int_equal(pl_outfile_open(&of, "/dev/full", 1, &err), 0);
        fwrite(block, 1, sizeof(block), of.fp);
        assert_int_equal(pl_outfile_commit(&of, &err), PL_EIO);
        assert_non_null(strstr(err.msg, "/dev/full: write failed"));
    }
}

static void a_link_stays_a_link_and_a_file_written_by_name_replaces_the_old(void **state)
{
    char dir[64], path[128], link_path[160], cwd[4096];
    struct stat st;
    pl_outfile of;
    pl_error err;
    char *text;
    FILE *fp;
    (void)state;

    th_tempdir(dir, sizeof(dir));
    th_write(path, sizeof(path), dir, "real.txt", "previous");
    snprintf(link_path, sizeof(link_path), "%s/link.txt", dir);
    assert_int_equal(symlink("real.txt", link_path), 0);
    assert_int_equal(pl_outfile_open(&of, link_path, 1, &err), 0);
    fputs("through the link", of.fp);
    assert_int_equal(pl_outfile_commit(&of, &err), 0);
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    text = th_read(path, NULL);
    assert_string_equal(text, "through the link");
    free(text);
    /* written by name (open_stream 0), as libxlsxwriter does */
    assert_int_equal(pl_outfile_open(&of, path, 0, &err), 0);
    assert_null(of.fp);
    assert_non_null(fp = fopen(of.tmp, "wb"));
    fputs("by name", fp);
    fclose(fp);
    assert_int_equal(pl_outfile_commit(&of, &err), 0);
    text = th_read(path, NULL);
    assert_string_equal(text, "by name");
    free(text);
    /* a name without a folder: in the current one */
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(pl_outfile_open(&of, "here.txt", 1, &err), 0);
    fputs("here", of.fp);
    assert_int_equal(pl_outfile_commit(&of, &err), 0);
    assert_int_equal(chdir(cwd), 0);
    snprintf(link_path, sizeof(link_path), "%s/here.txt", dir);
    text = th_read(link_path, NULL);
    assert_string_equal(text, "here");
    free(text);
    /* the temporary file is gone before the commit: the old file stays */
    assert_int_equal(pl_outfile_open(&of, path, 0, &err), 0);
    assert_int_equal(unlink(of.tmp), 0);
    assert_int_equal(pl_outfile_commit(&of, &err), PL_EIO);
    assert_non_null(strstr(err.msg, "write failed"));
    text = th_read(path, NULL);
    assert_string_equal(text, "by name");
    free(text);
    th_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_that_are_no_file_are_refused),
        cmocka_unit_test(a_device_is_written_in_place),
        cmocka_unit_test(a_link_stays_a_link_and_a_file_written_by_name_replaces_the_old),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
