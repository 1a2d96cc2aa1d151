# lt-regress stat: every method on a documented example, each value to
# 1e-6 relative.  The data and the sources are those of
# tests/unit/check_stats.c, where the full digits were confirmed with
# R 4.2.2 (Debian 12); the digits the sources print are quoted here.
. "$SRC/tests/cli/run/helpers.sh"

# stat ARGS...: run `lt-regress stat`; the output in $T/out.
stat() {
	run lt-regress stat "$@"
	[ "$rc" = 0 ] || fail "lt-regress stat $*: exit $rc: $(cat "$T/err")"
	[ "$(wc -l <"$T/out")" -eq 1 ] || fail "lt-regress stat $*: expected one JSON line"
}
# field PATH: a member of the output object; item PATH I: element I (1..) of
# an array member.
field() { jfield "$1" <"$T/out"; }
item() { field "$1" | awk -v i="$2" '{ gsub(/[][]/, ""); split($0, e, ","); print e[i] }'; }
# near NAME GOT WANT: GOT is a number within 1e-6 of WANT (an awk
# expression) relatively, or exactly WANT when that is 0.
near() {
	if awk -v g="$2" "BEGIN { w = $3 }"'
		BEGIN { if (g !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) exit 1
			d = g - w; if (d < 0) d = -d; a = w < 0 ? -w : w
			exit !(a > 0 ? d <= 1e-6 * a : d == 0) }'; then
		check_ok "$1"
	else
		check_fail "$1" "got '$2', expected $3"
	fi
}
same() { # NAME GOT WANT: exact text
	if [ "$2" = "$3" ]; then check_ok "$1"; else check_fail "$1" "got '$2', expected '$3'"; fi
}
series() { # FILE NUMBERS...
	f=$1
	shift
	printf '%s\n' "$@" >"$T/$f"
}

# --- welch: R's ?t.test example, t.test(extra ~ group, data = sleep)
# prints t = -1.8608, df = 17.776, p-value = 0.07939, interval -3.3654832
# 0.2054832, means 0.75 and 2.33.
series sleep1 0.7 -1.6 -0.2 -1.2 -0.1 3.4 3.7 0.8 0.0 2.0
series sleep2 1.9 0.8 1.1 0.1 -0.1 4.4 5.5 1.6 4.6 3.4
stat welch "$T/sleep1" "$T/sleep2"
same "welch: method" "$(field method)" welch
near "welch sleep: statistic" "$(field statistic)" -1.8608134674868531
near "welch sleep: df" "$(field df)" 17.776473516178498
near "welch sleep: p_value" "$(field p_value)" 0.0793941401873582
near "welch sleep: p_less" "$(field p_less)" 0.0396970700936791
near "welch sleep: p_greater" "$(field p_greater)" 0.960302929906321
near "welch sleep: mean_a" "$(field mean_a)" 0.75
near "welch sleep: mean_b" "$(field mean_b)" 2.33
near "welch sleep: ci95 low" "$(item ci95 1)" -3.3654832307117104
near "welch sleep: ci95 high" "$(item ci95 2)" 0.2054832307117102
# The printed digits, to the digits printed.
near "welch sleep: t as R prints it" "$(field statistic | awk '{ printf "%.4f", $1 }')" -1.8608
near "welch sleep: p as R prints it" "$(field p_value | awk '{ printf "%.5f", $1 }')" 0.07939

# --- mannwhitney: SciPy's mannwhitneyu documentation (ages of male and
# female employees): U1 = 17.0, method="asymptotic" p = 0.11134688653314041
# (R: W = 17, p-value = 0.1113 with exact = FALSE).
series males 19 22 16 29 24
series females 20 11 17 12
stat mannwhitney "$T/males" "$T/females"
near "mannwhitney scipy: u" "$(field u)" 17
near "mannwhitney scipy: p_value" "$(field p_value)" 0.11134688653314041
# z by hand: mean 10, sigma sqrt(5*4*10/12), continuity 0.5.
near "mannwhitney scipy: z" "$(field z)" "6.5 / sqrt(200 / 12)"
# R's ?wilcox.test example (Hollander and Wolfe 1973, p. 69, permeability
# constants): W = 35; wilcox.test(x, y, exact = FALSE) p = 0.244623605126983.
series hw_x 0.80 0.83 1.89 1.04 1.45 1.38 1.91 1.64 0.73 1.46
series hw_y 1.15 0.88 0.90 0.74 1.21
stat mannwhitney "$T/hw_x" "$T/hw_y"
near "mannwhitney wilcox.test example: u (R's W)" "$(field u)" 35
near "mannwhitney wilcox.test example: p_value" "$(field p_value)" 0.244623605126983
# Ties, by hand (check_stats.c): a = 1 2 2 3, b = 2 3 4 5; U = 2.5, tie-
# corrected sigma^2 = 79/7, z = (2.5 - 8 + 0.5) / sqrt(79/7); R:
# wilcox.test(a, b, exact = FALSE) p-value = 0.136658247738.
series tie_a 1 2 2 3
series tie_b 2 3 4 5
stat mannwhitney "$T/tie_a" "$T/tie_b"
near "mannwhitney ties: u" "$(field u)" 2.5
near "mannwhitney ties: z" "$(field z)" "-5 / sqrt(79 / 7)"
near "mannwhitney ties: p_value" "$(field p_value)" 0.136658247738148
near "mannwhitney ties: p_less" "$(field p_less)" 0.0683291238690737

# --- mannkendall: "A Mann-Kendall Example (By Hand)", College of the Holy
# Cross: 91 pairs, S = 54, one tied pair, V = (14*13*33 - 2*1*9)/18 =
# 332.667, Z = (S - 1)/sqrt(V) = 2.9058, one-sided p = .0018; tau = 54/91
# as pymannkendall reports it.
series mk 12.9 14.8 13.2 15.7 13.8 15.6 12.9 11.0 17.3 15.9 19.0 18.3 20.1 21.7
stat mannkendall "$T/mk"
near "mannkendall by hand: n" "$(field n)" 14
near "mannkendall by hand: s" "$(field s)" 54
near "mannkendall by hand: var_s" "$(field var_s)" "(14 * 13 * 33 - 2 * 1 * 9) / 18"
near "mannkendall by hand: z" "$(field z)" "53 / sqrt(5988 / 18)"
near "mannkendall by hand: z as printed" "$(field z | awk '{ printf "%.4f", $1 }')" 2.9058
near "mannkendall by hand: p_greater" "$(field p_greater)" 1.83136188144122e-03
near "mannkendall by hand: p_value" "$(field p_value)" 3.66272376288244e-03
near "mannkendall by hand: tau" "$(field tau)" "54 / 91"
same "mannkendall by hand: trend at 0.05" "$(field trend)" increasing
stat --alpha 0.001 mannkendall "$T/mk"
same "mannkendall by hand: no trend at --alpha 0.001" "$(field trend)" none
series mk_down 5 4 3 2 1
stat mannkendall "$T/mk_down"
# S = -10 (every pair down), var = 5*4*15/18, z = (S + 1)/sqrt(var).
near "mannkendall decreasing: s" "$(field s)" -10
near "mannkendall decreasing: z" "$(field z)" "-9 / sqrt(50 / 3)"
same "mannkendall decreasing: trend" "$(field trend)" decreasing

# --- sen: by hand (check_stats.c), y = 1 3 2 5 4 at x = 0..4: the ten
# pairwise slopes have median 7/8; intercept median(y) - slope median(x)
# = 3 - 7/4; Gilbert's 95 % interval [-1, 3].
series sen 1 3 2 5 4
stat sen "$T/sen"
near "sen by hand: slope" "$(field slope)" 0.875
near "sen by hand: intercept" "$(field intercept)" 1.25
near "sen by hand: ci95 low" "$(item ci95 1)" -1
near "sen by hand: ci95 high" "$(item ci95 2)" 3

# --- pearson: R's ?cor.test example (Hollander and Wolfe 1973, p. 187f):
# t = 1.8411, df = 7, p-value = 0.1082, cor 0.5711816.
series ct_x 44.4 45.9 41.9 53.3 44.7 44.1 50.7 45.2 60.1
series ct_y 2.6 3.1 2.5 5.0 3.6 4.0 5.2 2.8 3.8
stat pearson "$T/ct_x" "$T/ct_y"
near "pearson cor.test example: r" "$(field r)" 0.571181557563829
near "pearson cor.test example: t" "$(field t)" 1.841082638115
near "pearson cor.test example: df" "$(field df)" 7
near "pearson cor.test example: p_value" "$(field p_value)" 0.108173054349
near "pearson cor.test example: p as R prints it" "$(field p_value | awk '{ printf "%.4f", $1 }')" 0.1082
# --- spearman: the same data, rho = 0.6 (R, method = "spearman").
stat spearman "$T/ct_x" "$T/ct_y"
near "spearman cor.test example: rho" "$(field rho)" 0.6
near "spearman cor.test example: df" "$(field df)" 7
# Wikipedia, "Spearman's rank correlation coefficient": IQ against hours
# of TV, rho = -29/165, p = 0.627188 (R cor.test exact = FALSE
# 0.627188344776).
series iq 106 100 86 101 99 103 97 113 112 110
series tv 7 27 2 50 28 29 20 12 6 17
stat spearman "$T/iq" "$T/tv"
near "spearman wikipedia: rho" "$(field rho)" "-29 / 165"
near "spearman wikipedia: p_value" "$(field p_value)" 0.627188344776
near "spearman wikipedia: df" "$(field df)" 8

# --- bh: Benjamini and Hochberg (1995), section 4: 15 p-values; at 0.05
# the four smallest are rejected.  Adjusted by hand, m p(k)/k with the
# running minimum from the top (R's p.adjust(p, "BH")).
series bh 0.0001 0.0004 0.0019 0.0095 0.0201 0.0278 0.0298 0.0344 \
	0.0459 0.3240 0.4262 0.5719 0.6528 0.7590 1.000
stat bh "$T/bh"
near "bh paper: n_rejected at 0.05" "$(field n_rejected)" 4
same "bh paper: rejected" "$(field rejected)" \
	"[true,true,true,true,false,false,false,false,false,false,false,false,false,false,false]"
i=1
for want in "15 * 0.0001" "15 * 0.0004 / 2" "15 * 0.0019 / 3" "15 * 0.0095 / 4" \
	"15 * 0.0201 / 5" "15 * 0.0298 / 7" "15 * 0.0298 / 7" "15 * 0.0344 / 8" \
	"15 * 0.0459 / 9" "15 * 0.3240 / 10" "15 * 0.4262 / 11" "15 * 0.5719 / 12" \
	"15 * 0.6528 / 13" "15 * 0.7590 / 14" 1; do
	near "bh paper: adjusted[$i]" "$(item adjusted "$i")" "$want"
	i=$((i + 1))
done
# At 0.01 the step-up stops at k = 3: 0.0019 <= 3 * 0.01/15 = 0.002, but
# 0.0095 > 4 * 0.01/15.
stat --alpha 0.01 bh "$T/bh"
near "bh paper: n_rejected at --alpha 0.01" "$(field n_rejected)" 3

# --- describe: NIST StRD NumAcc1, certified mean 10000002 and standard
# deviation 1; the type-7 quantiles (R's default) by hand: p95 at
# (n - 1) 0.95 = 1.9, 10000002 + 0.9.
series numacc1 10000001 10000003 10000002
stat describe "$T/numacc1"
near "describe NumAcc1: n" "$(field n)" 3
near "describe NumAcc1: mean" "$(field mean)" 10000002
near "describe NumAcc1: stddev" "$(field stddev)" 1
near "describe NumAcc1: min" "$(field min)" 10000001
near "describe NumAcc1: p50" "$(field p50)" 10000002
near "describe NumAcc1: p95" "$(field p95)" 10000002.9
near "describe NumAcc1: p99" "$(field p99)" 10000002.98
near "describe NumAcc1: max" "$(field max)" 10000003
# The sleep data's group 1 by hand: mean 0.75, squared deviations sum to
# 28.805; sorted -1.6 -1.2 -0.2 -0.1 0 0.7 0.8 2 3.4 3.7, so p50 = 0.35,
# p95 at 8.55 = 3.4 + 0.55 * 0.3, p99 at 8.91.
stat describe "$T/sleep1"
near "describe sleep: mean" "$(field mean)" 0.75
near "describe sleep: stddev" "$(field stddev)" "sqrt(28.805 / 9)"
near "describe sleep: p50" "$(field p50)" 0.35
near "describe sleep: p95" "$(field p95)" "3.4 + 0.55 * 0.3"
near "describe sleep: p99" "$(field p99)" "3.4 + 0.91 * 0.3"

# --- input forms: comments and blank lines, "-" for stdin, NDJSON fields.
printf '# extra hours, drug 1\n\n0.7\n-1.6\n  -0.2\n-1.2\n-0.1\n3.4\n\n3.7\n0.8\n0.0\n2.0\n' >"$T/commented"
stat welch "$T/commented" "$T/sleep2"
near "comments and blank lines are skipped" "$(field statistic)" -1.8608134674868531
stat welch - "$T/sleep2" <"$T/sleep1"
near "- reads standard input" "$(field statistic)" -1.8608134674868531
for g in sleep1 sleep2; do
	awk 'NR == 1 { print "{\"type\":\"run_start\",\"v\":1}" }
		{ printf "{\"type\":\"sample\",\"v\":1,\"t\":%d,\"latency_ms\":{\"p95\":%s}}\n", NR, $1 }' \
		"$T/$g" >"$T/$g.ndjson"
done
stat --field latency_ms.p95 welch "$T/sleep1.ndjson" "$T/sleep2.ndjson"
near "--field reads a field of NDJSON lines, skipping others" "$(field statistic)" -1.8608134674868531
