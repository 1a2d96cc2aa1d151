# make install puts the library (with its soname), programs, headers, pkg-config
# file, man pages and completions under DESTDIR; the installed programs run;
# make uninstall takes it all away again.
root="$T/root"
make -s -C "$SRC" install BUILD="$BUILD" DESTDIR="$root" PREFIX=/usr >"$T/out" 2>"$T/err" ||
	fail "make install failed"
[ -x "$root/usr/bin/lt-store" ] || fail "no lt-store in bin"
[ -f "$root/usr/lib/libltcore.so.0.1.0" ] || fail "no libltcore.so.0.1.0"
[ "$(readlink "$root/usr/lib/libltcore.so.0")" = libltcore.so.0.1.0 ] || fail "bad soname link"
readelf -d "$root/usr/lib/libltcore.so.0.1.0" | grep -q 'SONAME.*\[libltcore\.so\.0\]' ||
	fail "the library has no soname libltcore.so.0"
grep -q '^Libs: -L${libdir} -lltcore$' "$root/usr/lib/pkgconfig/libltcore.pc" || fail "bad libltcore.pc"
grep -q '^libdir=/usr/lib$' "$root/usr/lib/pkgconfig/libltcore.pc" || fail "libltcore.pc: wrong libdir"
[ -f "$root/usr/include/lt/hist.h" ] || fail "no headers"
[ -f "$root/usr/share/man/man1/lt-store.1" ] || fail "no lt-store(1)"
[ -f "$root/usr/share/man/man5/lt-scenario.5" ] || fail "no lt-scenario(5)"
[ -f "$root/usr/share/bash-completion/completions/lt-store" ] || fail "no bash completion"
[ -f "$root/usr/share/zsh/site-functions/_lt-store" ] || fail "no zsh completion"
run "$root/usr/bin/lt-store" --version
expect_rc 0
# It runs from where it is installed: its rpath finds the installed library.
ldd "$root/usr/bin/lt-store" | grep -q "$root/usr/bin/../lib/libltcore.so.0" ||
	fail "lt-store does not load the installed library: $(ldd "$root/usr/bin/lt-store" | grep ltcore)"
make -s -C "$SRC" uninstall BUILD="$BUILD" DESTDIR="$root" PREFIX=/usr >"$T/out" 2>"$T/err" ||
	fail "make uninstall failed"
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || fail "left after uninstall: $left"
