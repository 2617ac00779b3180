#include "config.h"
#include "exitcode.h"

#include <criterion/criterion.h>
#include <string.h>

static const struct mi_config_key known[] = {
	{ "source", "id" },
	{ "source", "kind" },
	{ "source", "county" },
	{ "source", "enabled" },
	{ "politeness", "max_per_host" },
	{ "politeness", "rate_per_second" },
	{ NULL, NULL },
};

static void formatted(const struct mi_err *e, const char *want)
{
	char buf[1024];

	cr_assert_str_eq(mi_err_format(e, buf, sizeof(buf)), want);
}

Test(config, reads_typed_values)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;
	long long county, per_host;
	double rate;
	int enabled;

	cr_assert_eq(mi_config_load(&cfg, "fixtures/config/good.ini", &err), 0);
	cr_assert_eq(mi_config_check(&cfg, known, &err), 0);
	cr_assert_str_eq(mi_config_str(&cfg, "source", "id", NULL), "maui-rpt-sales");
	cr_assert_eq(mi_config_int(&cfg, "source", "county", 1, 4, 0, &county, &err), 0);
	cr_assert_eq(county, 2);
	cr_assert_eq(mi_config_bool(&cfg, "source", "enabled", 0, &enabled, &err), 0);
	cr_assert_eq(enabled, 1);
	cr_assert_eq(mi_config_int(&cfg, "politeness", "max_per_host", 1, 64, 4, &per_host, &err), 0);
	cr_assert_eq(per_host, 2);
	cr_assert_eq(mi_config_double(&cfg, "politeness", "rate_per_second", 0, 100, 1, &rate, &err), 0);
	cr_assert_float_eq(rate, 0.5, 1e-9);
	cr_assert_eq(mi_config_find(&cfg, "politeness", "rate_per_second")->line, 10);
	mi_config_release(&cfg);
}

Test(config, bad_value_names_file_and_line)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;
	long long county;

	cr_assert_eq(mi_config_load(&cfg, "fixtures/config/bad-value.ini", &err), 0);
	cr_assert_eq(mi_config_int(&cfg, "source", "county", 1, 4, 0, &county, &err), -1);
	cr_assert_eq(err.code, MI_EXIT_CONFIG);
	formatted(&err, "fixtures/config/bad-value.ini:3: invalid value '7' for key 'county' in "
			"section [source]: must be an integer between 1 and 4");
	mi_config_release(&cfg);
}

Test(config, unknown_key_is_an_error)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(mi_config_load(&cfg, "fixtures/config/unknown-key.ini", &err), 0);
	cr_assert_eq(mi_config_check(&cfg, known, &err), -1);
	formatted(&err, "fixtures/config/unknown-key.ini:5: unknown key 'max_per_hots' in "
			"section [politeness]");
	mi_config_release(&cfg);
}

Test(config, duplicate_key_is_an_error)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(mi_config_load(&cfg, "fixtures/config/duplicate.ini", &err), -1);
	formatted(&err, "fixtures/config/duplicate.ini:3: key 'id' given twice in section [source]");
	mi_config_release(&cfg);
}

Test(config, syntax_error_names_the_line)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(mi_config_load(&cfg, "fixtures/config/syntax.ini", &err), -1);
	formatted(&err, "fixtures/config/syntax.ini:1: syntax error");
	mi_config_release(&cfg);
}

Test(config, missing_file)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(mi_config_load(&cfg, "fixtures/config/nope.ini", &err), -1);
	cr_assert_eq(err.code, MI_EXIT_CONFIG);
	cr_assert(strstr(err.msg, "cannot open 'fixtures/config/nope.ini'"));
	mi_config_release(&cfg);
}
