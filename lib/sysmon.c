/* sysmon.c -- resource figures from /proc (see sysmon.h). */
#include "sysmon.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct counters {
	uint64_t mono_ns;
	double proc_cpu_s;
	uint64_t host_busy, host_total; /* jiffies */
	uint64_t net_rx, net_tx;
	uint64_t disk_read_sectors, disk_write_sectors;
};

struct lt_sysmon {
	struct counters prev;
	double ticks_per_s;
};

/* utime and stime are fields 14 and 15 of /proc/self/stat, counted after
 * the command name, which may itself hold spaces and parentheses: parse
 * from the last ')'. */
static void read_proc_stat(double ticks, double *user_s, double *sys_s)
{
	char buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f = fopen("/proc/self/stat", "r");

	*user_s = *sys_s = 0;
	if (!f)
		return;
	if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) == 2) {
		*user_s = (double)ut / ticks;
		*sys_s = (double)st / ticks;
	}
	fclose(f);
}

static void read_status(uint64_t *rss_kb, uint64_t *hwm_kb)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	*rss_kb = *hwm_kb = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;
		if (sscanf(line, "VmRSS: %llu", &v) == 1)
			*rss_kb = v;
		else if (sscanf(line, "VmHWM: %llu", &v) == 1)
			*hwm_kb = v;
	}
	fclose(f);
}

static void read_host_cpu(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		/* idle and iowait (v[3], v[4]) are the not-busy time. */
		for (int i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}

static void read_meminfo(uint64_t *total_kb, uint64_t *used_kb)
{
	char line[256];
	unsigned long long total = 0, avail = 0, v;
	FILE *f = fopen("/proc/meminfo", "r");

	*total_kb = *used_kb = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "MemTotal: %llu", &v) == 1)
			total = v;
		else if (sscanf(line, "MemAvailable: %llu", &v) == 1)
			avail = v;
	}
	fclose(f);
	*total_kb = total;
	*used_kb = total > avail ? total - avail : 0;
}

static void read_net(uint64_t *rx, uint64_t *tx)
{
	char line[512];
	FILE *f = fopen("/proc/net/dev", "r");

	*rx = *tx = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char name[64];
		unsigned long long r, t;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = ' ';
		if (sscanf(line, " %63s %llu %*u %*u %*u %*u %*u %*u %*u %llu",
			   name, &r, &t) == 3 && strcmp(name, "lo") != 0) {
			*rx += r;
			*tx += t;
		}
	}
	fclose(f);
}

/* Whole disks only (sda, vda, nvme0n1), so partitions are not counted
 * twice; loop and ram devices are left out. */
static int whole_disk(const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(name, "loop", 4) || !strncmp(name, "ram", 3) || !strncmp(name, "dm-", 3))
		return 0;
	if (!strncmp(name, "nvme", 4) || !strncmp(name, "mmcblk", 6))
		return strchr(name, 'p') == NULL;
	return n > 0 && (name[n - 1] < '0' || name[n - 1] > '9');
}

static void read_disk(uint64_t *rd, uint64_t *wr)
{
	char line[512];
	FILE *f = fopen("/proc/diskstats", "r");

	*rd = *wr = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char name[64];
		unsigned long long r, w;
		if (sscanf(line, " %*u %*u %63s %*u %*u %llu %*u %*u %*u %llu",
			   name, &r, &w) == 3 && whole_disk(name)) {
			*rd += r;
			*wr += w;
		}
	}
	fclose(f);
}

static void read_counters(struct lt_sysmon *m, struct counters *c, double *user_s,
			  double *sys_s)
{
	c->mono_ns = lti_mono_ns();
	read_proc_stat(m->ticks_per_s, user_s, sys_s);
	c->proc_cpu_s = *user_s + *sys_s;
	read_host_cpu(&c->host_busy, &c->host_total);
	read_net(&c->net_rx, &c->net_tx);
	read_disk(&c->disk_read_sectors, &c->disk_write_sectors);
}

struct lt_sysmon *lt_sysmon_new(void)
{
	struct lt_sysmon *m = calloc(1, sizeof *m);
	double u, s;
	long ticks = sysconf(_SC_CLK_TCK);

	if (!m)
		return NULL;
	m->ticks_per_s = ticks > 0 ? (double)ticks : 100.0;
	read_counters(m, &m->prev, &u, &s);
	return m;
}

void lt_sysmon_free(struct lt_sysmon *m)
{
	free(m);
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	/* Counters can go backwards when an interface or disk disappears. */
	return now > before ? now - before : 0;
}

void lt_sysmon_read(struct lt_sysmon *m, struct lt_sysmon_reading *r)
{
	struct counters now;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(r, 0, sizeof *r);
	read_counters(m, &now, &r->user_s, &r->sys_s);
	r->interval_s = (double)delta(now.mono_ns, m->prev.mono_ns) / 1e9;
	if (r->interval_s > 0)
		r->cpu_pct = 100.0 * (now.proc_cpu_s - m->prev.proc_cpu_s) / r->interval_s;
	if (r->cpu_pct < 0)
		r->cpu_pct = 0;
	uint64_t total = delta(now.host_total, m->prev.host_total);
	if (total > 0)
		r->host_cpu_pct = 100.0 * (double)delta(now.host_busy, m->prev.host_busy) /
				  (double)total;
	r->ncpu = ncpu > 0 ? (unsigned)ncpu : 1;
	read_status(&r->rss_kb, &r->max_rss_kb);
	read_meminfo(&r->mem_total_kb, &r->mem_used_kb);
	r->net_rx_bytes = delta(now.net_rx, m->prev.net_rx);
	r->net_tx_bytes = delta(now.net_tx, m->prev.net_tx);
	/* diskstats counts 512-byte sectors whatever the device's block size. */
	r->disk_read_bytes = 512 * delta(now.disk_read_sectors, m->prev.disk_read_sectors);
	r->disk_write_bytes = 512 * delta(now.disk_write_sectors, m->prev.disk_write_sectors);
	m->prev = now;
}
