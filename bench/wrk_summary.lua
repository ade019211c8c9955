-- wrk script for bench/run.py: prints one line "BENCH_JSON {...}" with the summary.
-- With BENCH_COUNT=1 it also counts requests sent and responses by status, so the
-- harness can check that every counted article view is accounted for.
local threads = {}
local counting = os.getenv("BENCH_COUNT") == "1"

function setup(thread)
  table.insert(threads, thread)
end

if counting then
  function init(args)
    sent, ok200, other, s5xx = 0, 0, 0, 0
    req = wrk.format()
  end

  function request()
    sent = sent + 1
    return req
  end

  function response(status, headers, body)
    if status == 200 then
      ok200 = ok200 + 1
    else
      other = other + 1
      if status >= 500 then
        s5xx = s5xx + 1
      end
    end
  end
end

function done(summary, latency, requests)
  local sent_all, ok_all, other_all, s5xx_all = 0, 0, 0, 0
  if counting then
    for _, t in ipairs(threads) do
      sent_all = sent_all + t:get("sent")
      ok_all = ok_all + t:get("ok200")
      other_all = other_all + t:get("other")
      s5xx_all = s5xx_all + t:get("s5xx")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %.0f, "p90": %.0f, "p99": %.0f, "mean": %.1f, "max": %.0f}, ' ..
    '"counting": %s, "sent": %d, "ok200": %d, "other": %d, "status_5xx": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max,
    tostring(counting), sent_all, ok_all, other_all, s5xx_all))
end
