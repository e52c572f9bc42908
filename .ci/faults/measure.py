#!/usr/bin/env python3
"""Measures the costs of hostile requests on a running `cryptodash serve` (issue 9, item 3).

    python3 .ci/faults/measure.py refuse  PORT PID   # CPU to refuse a 1 MB query string (API and dashboard)
    python3 .ci/faults/measure.py card    PORT PID   # CPU per hover card of coin "bitcoin" (store an 8 MB description first)
    python3 .ci/faults/measure.py methods PORT PID   # /metrics after 30,000 requests with made-up methods

PID is the server's process id: CPU is read from /proc/PID/stat (user + system), so run the
server alone on the port, with FETCH_ON_START=false and FETCH_SCHEDULE=off. The figures of
the branch that added this are in its final report.
"""
import http.client, sys, time, os

def cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    tck = os.sysconf('SC_CLK_TCK')
    return (int(f[11]) + int(f[12])) / tck  # utime + stime

def refuse(port, pid, n=20):
    ids = ','.join('c%d' % i for i in range(200000))[:(1 << 20) - 200]
    ids = ids[:ids.rfind(',')]
    paths = ['/api/prices?dateFrom=2026-01-01&dateTo=2026-01-02&coinIds=' + ids,
             '/?coins=' + ids]
    for path in paths:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
        before, t0 = cpu(pid), time.time()
        codes = {}
        for i in range(n):
            conn.request('GET', path + '&x=%d' % i)
            r = conn.getresponse(); body = r.read()
            codes[r.status] = codes.get(r.status, 0) + 1
            hx = r.getheader('HX-Push-Url') or ''
        after = cpu(pid)
        print(f'{path[:14]}… query {len(path)} bytes: {n} requests, statuses {codes}, '
              f'CPU {1000*(after-before)/n:.1f} ms/request, wall {1000*(time.time()-t0)/n:.1f} ms/request, body {len(body)} bytes')

def card(port, pid, n=200):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
    before = cpu(pid)
    for i in range(n):
        conn.request('GET', '/partials/coins/bitcoin/card?n=%d' % i)
        r = conn.getresponse(); r.read()
    after = cpu(pid)
    print(f'hover card with an 8 MB description: status {r.status}, CPU {1000*(after-before)/n:.1f} ms/request')

def methods(port, n=30000):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    for i in range(n):
        conn.request('M%d' % i, '/api/coins')
        r = conn.getresponse(); r.read()
    conn.request('GET', '/metrics')
    r = conn.getresponse(); body = r.read()
    print(f'/metrics after {n} made-up methods: {len(body)} bytes, '
          f'{sum(1 for l in body.splitlines() if l.startswith(b"cryptodash_http_requests_total"))} request-counter series')

what, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
{'refuse': lambda: refuse(port, pid), 'card': lambda: card(port, pid), 'methods': lambda: methods(port)}[what]()
