#include "opts.h"
#include "exitcode.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int mi_opts_help(const struct mi_cmd_info *info)
{
	fputs(info->usage, stdout);
	return mi_close_stdout(info->name);
}

int mi_opts_version(const struct mi_cmd_info *info)
{
	printf("%s (market-intelligence) %s\n", info->name, MI_VERSION);
	return mi_close_stdout(info->name);
}

int mi_opts_usage_error(const struct mi_cmd_info *info, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", info->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", info->name);
	return MI_EXIT_USAGE;
}

int mi_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int mi_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int mi_opts_int(const struct mi_cmd_info *info, const char *opt, const char *s,
		long long min, long long max, long long *out)
{
	if (mi_parse_ll(s, min, max, out) == 0)
		return 0;
	fprintf(stderr,
		"%s: invalid value '%s' for option --%s: must be an integer between %lld and %lld\n",
		info->name, s ? s : "", opt, min, max);
	return -1;
}

int mi_opts_double(const struct mi_cmd_info *info, const char *opt, const char *s,
		   double min, double max, double *out)
{
	if (mi_parse_double(s, min, max, out) == 0)
		return 0;
	fprintf(stderr,
		"%s: invalid value '%s' for option --%s: must be a number between %g and %g\n",
		info->name, s ? s : "", opt, min, max);
	return -1;
}

int mi_close_stdout(const char *prog)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);

	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		fprintf(stderr, "%s: error: cannot write to standard output: %s\n", prog,
			strerror(errno));
		return MI_EXIT_IO;
	}
	return MI_EXIT_OK;
}
