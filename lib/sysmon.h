/* sysmon.h -- CPU, memory, disk and network use, read from /proc.
 *
 * lt reports what the load generator itself costs (a generator that runs
 * out of CPU measures itself, not the service) and what the host does
 * during a run.  A monitor keeps the previous counters so that each
 * reading gives the rates since the one before: call lt_sysmon_read()
 * once a second and the percentages are "over the last second".
 *
 * Linux only (it reads /proc/self/stat, /proc/self/status, /proc/stat,
 * /proc/meminfo, /proc/net/dev and /proc/diskstats); a file that cannot
 * be read leaves its figures at 0 rather than failing the run.
 */
#ifndef LT_SYSMON_H
#define LT_SYSMON_H

#include "lt.h"

#include <stdint.h>

struct lt_sysmon;

struct lt_sysmon_reading {
	double interval_s;       /* time since the previous reading */
	/* this process */
	double cpu_pct;          /* user + sys over the interval; 100 = one core */
	double user_s, sys_s;    /* totals since the process started */
	uint64_t rss_kb;         /* resident set now */
	uint64_t max_rss_kb;     /* peak resident set */
	/* the host */
	double host_cpu_pct;     /* busy share of all cores, 0..100 */
	unsigned ncpu;
	uint64_t mem_total_kb, mem_used_kb; /* used = total - available */
	uint64_t net_rx_bytes, net_tx_bytes; /* over the interval, all interfaces but lo */
	uint64_t disk_read_bytes, disk_write_bytes; /* over the interval, whole disks */
};

/* A monitor primed with the current counters; new (lt_sysmon_free), NULL
 * when out of memory. */
struct lt_sysmon *lt_sysmon_new(void);
void lt_sysmon_free(struct lt_sysmon *m);

/* Fill r with the figures since the previous call (or since
 * lt_sysmon_new).  Cannot fail: unreadable sources read as 0. */
void lt_sysmon_read(struct lt_sysmon *m, struct lt_sysmon_reading *r);

#endif
