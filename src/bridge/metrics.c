/* metrics: the bridge's counters as Prometheus text, and the histogram of
 * delivery latency they include. */
#include "config.h"
#include "bridge_impl.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static const double lh_lat_bounds[LH_LAT_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1,
};

void lh_metrics_note_latency(struct lh_bridge *b, const struct lh_frame *f, int64_t now_mono_us)
{
	double lat = (double)(now_mono_us - f->recv_mono_us) / 1e6;
	int k = 0;
	while (k < LH_LAT_BUCKETS && lat > lh_lat_bounds[k])
		k++;
	b->lat_count[k]++;
	b->lat_sum += lat;
}

static void lh_metric(struct lh_buf *m, const char *name, const char *type, const char *help,
		      unsigned long long v)
{
	lh_buf_printf(m, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, v);
}

static void lh_metrics_latency(struct lh_bridge *b, struct lh_buf *m)
{
	lh_buf_puts(m, "# HELP livehud_delivery_seconds From receiving an event from Redis to writing it to a socket.\n"
		       "# TYPE livehud_delivery_seconds histogram\n");
	unsigned long long cum = 0;
	for (int i = 0; i < LH_LAT_BUCKETS; i++) {
		cum += b->lat_count[i];
		lh_buf_printf(m, "livehud_delivery_seconds_bucket{le=\"%g\"} %llu\n", lh_lat_bounds[i], cum);
	}
	cum += b->lat_count[LH_LAT_BUCKETS];
	lh_buf_printf(m, "livehud_delivery_seconds_bucket{le=\"+Inf\"} %llu\n"
			 "livehud_delivery_seconds_sum %.6f\nlivehud_delivery_seconds_count %llu\n",
		      cum, b->lat_sum, cum);
}

static unsigned long long lh_open_fds(void)
{
	unsigned long long n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n > 3 ? n - 3 : 0; /* not ".", "..", nor the one reading them */
}

/* The standard process_* metrics, and the build. */
static void lh_metrics_process(struct lh_bridge *b, struct lh_buf *m)
{
	struct rusage ru;
	double cpu = 0;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	struct rlimit rl;
	unsigned long long max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (unsigned long long)rl.rlim_cur : 0;
	lh_buf_printf(m, "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
			 "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.2f\n", cpu);
	lh_metric(m, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
		  (unsigned long long)resident * (unsigned long long)sysconf(_SC_PAGESIZE));
	lh_metric(m, "process_open_fds", "gauge", "Open file descriptors.", lh_open_fds());
	lh_metric(m, "process_max_fds", "gauge", "The most file descriptors the process may open.", max_fds);
	lh_buf_printf(m, "# HELP process_start_time_seconds Start time of the process since the epoch, in seconds.\n"
			 "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.2f\n",
		      (double)b->start_wall_us / 1e6);
	lh_buf_printf(m, "# HELP livehud_build_info The version of livehud running.\n"
			 "# TYPE livehud_build_info gauge\nlivehud_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
}

char *lh_metrics_text(struct lh_bridge *b)
{
	struct lh_buf m = LH_BUF_INIT;
	const struct lh_source_status *st = lh_app_source_status(b->app);
	const struct lh_rejects *rj = lh_app_rejects(b->app);
	lh_metric(&m, "livehud_events_received_total", "counter", "Events accepted from Redis.", b->received);
	lh_metric(&m, "livehud_events_forwarded_total", "counter", "Frames written to WebSocket clients.", b->forwarded);
	lh_buf_puts(&m, "# HELP livehud_events_rejected_total Payloads refused, by reason.\n"
			"# TYPE livehud_events_rejected_total counter\n");
	for (int i = 1; i < LH_REJECT_COUNT; i++)
		lh_buf_printf(&m, "livehud_events_rejected_total{reason=\"%s\"} %llu\n",
			      lh_reject_name((enum lh_reject)i), (unsigned long long)rj->count[i]);
	lh_buf_printf(&m, "# HELP livehud_frames_dropped_total Frames not delivered, by reason.\n"
			  "# TYPE livehud_frames_dropped_total counter\n"
			  "livehud_frames_dropped_total{reason=\"slow_client\"} %llu\n"
			  "livehud_frames_dropped_total{reason=\"client_closed\"} %llu\n",
		      (unsigned long long)b->dropped_slow, (unsigned long long)b->dropped_closed);
	lh_metric(&m, "livehud_gaps_sent_total", "counter", "Gap frames sent to clients.", b->gaps_sent);
	lh_metric(&m, "livehud_clients_failed_total", "counter",
		  "Clients closed for breaking the WebSocket protocol (1002, 1007, 1009).", b->clients_failed);
	lh_buf_printf(&m, "# HELP livehud_requests_refused_total Requests refused, by HTTP status.\n"
			  "# TYPE livehud_requests_refused_total counter\n");
	for (int i = 0; i < LH_REFUSED_STATUSES; i++)
		lh_buf_printf(&m, "livehud_requests_refused_total{status=\"%d\"} %llu\n", lh_refused_statuses[i],
			      (unsigned long long)b->refused[i]);
	lh_metric(&m, "livehud_runs_forgotten_total", "counter", "Runs whose history was dropped for --max-runs.",
		  lh_history_forgotten(b->hist));
	lh_buf_printf(&m, "# HELP livehud_history_bytes Bytes of frames kept for resuming (--history-bytes).\n"
			  "# TYPE livehud_history_bytes gauge\n"
			  "livehud_history_bytes{history=\"run\"} %zu\n"
			  "livehud_history_bytes{history=\"all\"} %zu\n"
			  "# HELP livehud_history_evicted_total Frames let go early to stay within --history-bytes.\n"
			  "# TYPE livehud_history_evicted_total counter\n"
			  "livehud_history_evicted_total{history=\"run\"} %llu\n"
			  "livehud_history_evicted_total{history=\"all\"} %llu\n",
		      lh_history_bytes(b->hist), b->all.bytes,
		      (unsigned long long)lh_history_evicted(b->hist), (unsigned long long)b->all_evicted);
	lh_metric(&m, "livehud_clients", "gauge", "Connected WebSocket clients.", b->nclients);
	lh_metric(&m, "livehud_runs", "gauge", "Runs with history.", lh_history_runs(b->hist));
	lh_metric(&m, "livehud_redis_reconnects_total", "counter", "Redis reconnections.", st ? st->reconnects : 0);
	lh_metric(&m, "livehud_source_interruptions_total", "counter",
		  "Times the source came back after being down; what was published meanwhile is lost.",
		  b->interruptions);
	lh_metric(&m, "livehud_redis_stalls_total", "counter",
		  "Redis connections given up for not answering a PING (--redis-timeout).", st ? st->stalls : 0);
	lh_metric(&m, "livehud_redis_up", "gauge", "1 when subscribed to Redis.", st && st->state == LH_SOURCE_LIVE);
	lh_metrics_latency(b, &m);
	lh_metrics_process(b, &m);
	return m.data;
}
