# `lt-bench list` shows the suites and their benchmarks.
run lt-bench list
expect_rc 0
for s in database cache memory concurrency analytics reports http disk; do
	expect_out "^$s: "
done
expect_out '^  latency_16KiB +ns +one dependent load'
expect_out '^  scaling_1t +ops/s '
expect_out '^  loopback_rps +req/s '
run lt-bench list --json
expect_rc 0
expect_out '^\{"suite":"cache","name":"read_128MiB","unit":"MB/s","better":"higher",'
expect_out '^\{"suite":"disk","name":"fsync","unit":"ms","better":"lower",'
