/* ws-client -- a minimal WebSocket client for lt-serve's tests.
 *
 * Debian 12's curl cannot speak WebSocket, and the tests must not depend
 * on python3 or node, so this is the client: RFC 6455 over a plain TCP
 * connection to 127.0.0.1 (loopback only, as every test), the opening
 * handshake checked to the letter (101, Upgrade, Connection and the
 * Sec-WebSocket-Accept of our key), then text frames printed one a line.
 * This comment is its manual.
 *
 * usage: ws-client [-n <count>] [-u <type>] [-t <seconds>] [-w] [-H <header>]...
 *                  [-s <text>]... <port> <path>
 *
 *   -n <count>     print this many text frames, then close (default 1)
 *   -u <type>      instead, print frames until one whose JSON "type" member
 *                  is <type> (that one included), then close
 *   -t <seconds>   give up after this long (default 10)
 *   -w             when the time runs out, exit 0 (print what comes for
 *                  <seconds>)
 *   -H <header>    add a request header, "Name: value" (repeatable)
 *   -s <text>      send <text> as a text frame once connected (repeatable, in
 *                  order): a request of a protocol over WebSocket, such as
 *                  the DevTools protocol of the dashboard test
 *
 * Exit 0: the frames came.  1: the time ran out, or the server closed
 * first (what came was printed).  2: bad usage.  3: no connection, or the
 * server refused the upgrade (its status line on stderr).  Pings are
 * answered with pongs; fragmented messages are put together.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE (16u << 20)

static int sock = -1;
static double deadline;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- SHA-1 (FIPS 180-4), for Sec-WebSocket-Accept only ---- */

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20])
{
	uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
	size_t total = ((len + 8) / 64 + 1) * 64;
	unsigned char *m = calloc(1, total);

	if (!m)
		exit(3);
	memcpy(m, msg, len);
	m[len] = 0x80;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t off = 0; off < total; off += 64) {
		uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 |
			       (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
		for (int i = 16; i < 80; i++)
			w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
		for (int i = 0; i < 80; i++) {
			uint32_t f, k;
			if (i < 20)
				f = (b & c) | (~b & d), k = 0x5A827999;
			else if (i < 40)
				f = b ^ c ^ d, k = 0x6ED9EBA1;
			else if (i < 60)
				f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
			else
				f = b ^ c ^ d, k = 0xCA62C1D6;
			uint32_t t = rol(a, 5) + f + e + k + w[i];
			e = d, d = c, c = rol(b, 30), b = a, a = t;
		}
		h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
	}
	free(m);
	for (int i = 0; i < 5; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (unsigned char)(h[i] >> (24 - 8 * k));
}

static void base64(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < len ? in[i + 2] : 0);
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* ---- I/O with the deadline ---- */

/* Read exactly n bytes; false on timeout, error or end of stream. */
static bool read_full(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		double left = deadline - now_s();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = sock, .events = POLLIN};
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		ssize_t k = read(sock, (char *)buf + got, n - got);
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

static bool write_full(const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = write(sock, (const char *)buf + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		done += (size_t)k;
	}
	return true;
}

/* A client frame: always masked (RFC 6455 5.3). */
static bool send_frame(int opcode, const unsigned char *data, size_t len)
{
	unsigned char head[14], mask[4];
	size_t h = 0;

	if (len > 65535)
		return false;
	head[h++] = (unsigned char)(0x80 | opcode);
	if (len < 126) {
		head[h++] = (unsigned char)(0x80 | len);
	} else {
		head[h++] = 0x80 | 126;
		head[h++] = (unsigned char)(len >> 8);
		head[h++] = (unsigned char)len;
	}
	for (int i = 0; i < 4; i++)
		head[h++] = mask[i] = (unsigned char)rand();
	unsigned char *body = malloc(len + 1);
	if (!body)
		return false;
	for (size_t i = 0; i < len; i++)
		body[i] = data[i] ^ mask[i % 4];
	bool ok = write_full(head, h) && write_full(body, len);
	free(body);
	return ok;
}

/* The next whole message: opcode and payload (new, NUL-terminated).
 * Control frames in between are handled here. */
static int read_message(unsigned char **out, size_t *out_len)
{
	unsigned char *msg = NULL;
	size_t len = 0;
	int msg_op = -1;

	for (;;) {
		unsigned char h[2], ext[8];
		if (!read_full(h, 2))
			goto fail;
		int fin = h[0] & 0x80, op = h[0] & 0x0f;
		uint64_t n = h[1] & 0x7f;
		if (h[1] & 0x80) {
			fprintf(stderr, "ws-client: the server masked a frame (RFC 6455 5.1)\n");
			goto fail;
		}
		if (n == 126) {
			if (!read_full(ext, 2))
				goto fail;
			n = (uint64_t)ext[0] << 8 | ext[1];
		} else if (n == 127) {
			if (!read_full(ext, 8))
				goto fail;
			n = 0;
			for (int i = 0; i < 8; i++)
				n = n << 8 | ext[i];
		}
		if (n > MAX_MESSAGE || len + n > MAX_MESSAGE) {
			fprintf(stderr, "ws-client: message larger than %u bytes\n", MAX_MESSAGE);
			goto fail;
		}
		unsigned char *payload = malloc(n + 1);
		if (!payload || !read_full(payload, n)) {
			free(payload);
			goto fail;
		}
		if (op >= 8) {
			if (op == 9)
				send_frame(10, payload, n);
			free(payload);
			if (op == 8) {
				send_frame(8, NULL, 0);
				goto fail;
			}
			continue;
		}
		if (op != 0)
			msg_op = op;
		unsigned char *grown = realloc(msg, len + n + 1);
		if (!grown) {
			free(payload);
			goto fail;
		}
		msg = grown;
		memcpy(msg + len, payload, n);
		len += n;
		msg[len] = '\0';
		free(payload);
		if (fin) {
			*out = msg;
			*out_len = len;
			return msg_op;
		}
	}
fail:
	free(msg);
	return -1;
}

/* Whether the JSON text has "type":"<type>" at its start, as lt writes
 * every record (compact, type first). */
static bool has_type(const char *text, const char *type)
{
	char want[160];
	snprintf(want, sizeof want, "{\"type\":\"%s\"", type);
	return strncmp(text, want, strlen(want)) == 0;
}

int main(int argc, char **argv)
{
	const char *headers[32], *sends[32], *until = NULL;
	size_t n_headers = 0, n_sends = 0;
	bool wait_all = false;
	long count = 1;
	double timeout = 10;
	int opt;

	while ((opt = getopt(argc, argv, "n:u:t:wH:s:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'u':
			until = optarg;
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		case 'w':
			wait_all = true;
			break;
		case 'H':
			if (n_headers == 32)
				return 2;
			headers[n_headers++] = optarg;
			break;
		case 's':
			if (n_sends == 32)
				return 2;
			sends[n_sends++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2 || count < 1 || timeout <= 0) {
		fprintf(stderr, "usage: ws-client [-n <count>] [-u <type>] [-t <seconds>] [-w] "
				"[-H <header>]... [-s <text>]... <port> <path>\n");
		return 2;
	}
	long port = strtol(argv[optind], NULL, 10);
	const char *path = argv[optind + 1];
	deadline = now_s() + timeout;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((sock = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(sock, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "ws-client: 127.0.0.1:%ld: %s\n", port, strerror(errno));
		return 3;
	}

	unsigned char nonce[16], digest[20];
	char key[32], accept[32], req[4096], concat[128];
	for (int i = 0; i < 16; i++)
		nonce[i] = (unsigned char)rand();
	base64(nonce, 16, key);
	int off = snprintf(req, sizeof req,
			   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%ld\r\nUpgrade: websocket\r\n"
			   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			   "Sec-WebSocket-Version: 13\r\n", path, port, key);
	for (size_t i = 0; i < n_headers && off < (int)sizeof req; i++)
		off += snprintf(req + off, sizeof req - (size_t)off, "%s\r\n", headers[i]);
	if (off >= (int)sizeof req - 3)
		return 2;
	off += snprintf(req + off, sizeof req - (size_t)off, "\r\n");
	if (!write_full(req, (size_t)off)) {
		fprintf(stderr, "ws-client: cannot send the handshake\n");
		return 3;
	}

	/* The response head, byte by byte up to the blank line: the first
	 * frame may follow it in the same segment. */
	char head[8192];
	size_t hn = 0;
	while (hn < sizeof head - 1 && !(hn >= 4 && !memcmp(head + hn - 4, "\r\n\r\n", 4))) {
		if (!read_full(head + hn, 1)) {
			head[hn] = '\0';
			fprintf(stderr, "ws-client: no upgrade: %s\n",
				hn ? strtok(head, "\r\n") : "the server closed the connection");
			return 3;
		}
		hn++;
	}
	head[hn] = '\0';
	snprintf(concat, sizeof concat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	sha1((const unsigned char *)concat, strlen(concat), digest);
	base64(digest, 20, accept);
	char *accept_line = strcasestr(head, "\r\nSec-WebSocket-Accept:");
	if (strncmp(head, "HTTP/1.1 101", 12) != 0 || !strcasestr(head, "\r\nUpgrade: websocket") ||
	    !accept_line || !strstr(accept_line, accept)) {
		fprintf(stderr, "ws-client: no upgrade: %s\n", strtok(head, "\r\n"));
		return 3;
	}

	for (size_t i = 0; i < n_sends; i++)
		if (!send_frame(1, (const unsigned char *)sends[i], strlen(sends[i]))) {
			fprintf(stderr, "ws-client: cannot send\n");
			return 3;
		}

	long printed = 0;
	int status = 1;
	for (;;) {
		unsigned char *msg = NULL;
		size_t len = 0;
		int op = read_message(&msg, &len);
		if (op < 0)
			break;
		if (op == 1) {
			fwrite(msg, 1, len, stdout);
			fputc('\n', stdout);
			fflush(stdout);
			printed++;
			if (until ? has_type((const char *)msg, until) : printed >= count) {
				status = 0;
				free(msg);
				break;
			}
		}
		free(msg);
	}
	if (status != 0 && wait_all && now_s() >= deadline)
		status = 0;
	if (status == 0) {
		static const unsigned char normal[] = {0x03, 0xe8};
		send_frame(8, normal, 2);
	} else if (!wait_all) {
		fprintf(stderr, "ws-client: %ld message(s) before the %s\n", printed,
			now_s() >= deadline ? "timeout" : "connection closed");
	}
	close(sock);
	return status;
}
