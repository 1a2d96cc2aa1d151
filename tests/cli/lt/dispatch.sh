# lt dispatches to lt-<command>, and refuses unknown commands with status 2.
run lt --version
expect_rc 0
expect_out '^lt [0-9]+\.[0-9]+\.[0-9]+$'
run lt --help
expect_rc 0
expect_out '^usage: lt <command>'
run lt no-such-command
expect_rc 2
expect_err "'no-such-command' is not an lt command"
run lt
expect_rc 2
