#include "filelimits.h"

#include <stddef.h>

#include "banned.h"

const char *const mi_limits_keys[] = { "max_bytes", "max_rows", "max_attributes", "cpu_seconds",
				       NULL };

int mi_limits_load(const struct mi_config *cfg, const char *section, struct mi_limits *out,
		   struct mi_err *err)
{
	const struct mi_limits def = MI_LIMITS_DEFAULT;

	*out = def;
	if (mi_config_int(cfg, section, "max_bytes", 0, 1LL << 50, def.max_bytes, &out->max_bytes,
			  err) < 0 ||
	    mi_config_int(cfg, section, "max_rows", 0, 1LL << 50, def.max_rows, &out->max_rows,
			  err) < 0 ||
	    mi_config_int(cfg, section, "max_attributes", 0, 1000000, def.max_attributes,
			  &out->max_attributes, err) < 0 ||
	    mi_config_double(cfg, section, "cpu_seconds", 0, 1e6, def.cpu_seconds,
			     &out->cpu_seconds, err) < 0)
		return -1;
	return 0;
}

void mi_limits_override(struct mi_limits *l, const struct mi_limits *by, unsigned over)
{
	if (over & MI_LIMIT_BYTES)
		l->max_bytes = by->max_bytes;
	if (over & MI_LIMIT_ROWS)
		l->max_rows = by->max_rows;
	if (over & MI_LIMIT_ATTRIBUTES)
		l->max_attributes = by->max_attributes;
	if (over & MI_LIMIT_CPU)
		l->cpu_seconds = by->cpu_seconds;
}
