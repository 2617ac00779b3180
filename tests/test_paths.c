#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "paths.h"

#include "banned.h"

Test(paths, env_datadir_wins)
{
	char buf[4096];
	struct mi_err err = MI_ERR_INIT;

	setenv("MI_DATADIR", "data", 1);
	cr_assert_eq(mi_path_data("sentiment/vader_lexicon.txt", buf, sizeof(buf), &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(buf, "data/sentiment/vader_lexicon.txt");
	cr_assert_eq(mi_path_datadir(buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "data");
}

Test(paths, env_datadir_is_the_only_place)
{
	char buf[4096];
	struct mi_err err = MI_ERR_INIT;

	setenv("MI_DATADIR", "no-such-dir", 1);
	cr_assert_eq(mi_path_data("sentiment/vader_lexicon.txt", buf, sizeof(buf), &err), -1);
	cr_assert_str_eq(err.msg, "cannot find data file 'sentiment/vader_lexicon.txt'");
	cr_assert(strstr(err.detail, "no-such-dir") != NULL);
}

Test(paths, missing_file)
{
	char buf[4096];
	struct mi_err err = MI_ERR_INIT;

	unsetenv("MI_DATADIR");
	cr_assert_eq(mi_path_data("no/such/file.tsv", buf, sizeof(buf), &err), -1);
	cr_assert(strstr(err.msg, "'no/such/file.tsv'") != NULL);
}

Test(paths, too_small_buffer)
{
	char buf[8];
	struct mi_err err = MI_ERR_INIT;

	setenv("MI_DATADIR", "data", 1);
	cr_assert_eq(mi_path_data("sentiment/vader_lexicon.txt", buf, sizeof(buf), &err), -1);
}
