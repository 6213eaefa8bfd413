-- wrk script: the fan page's visit beacon (static/js/visit.js), as phones send it.
-- Each request's user agent ends in one of 1,000 build numbers, so about 1,000 visitors a
-- day each visit many times: first visits (a new visitor row) and returning ones both run.
function request()
  local agent = string.format(
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
      .. "(KHTML, like Gecko) Version/17.0 Mobile/15E%d Safari/604.1",
    math.random(0, 999))
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = agent,
  }, "r=https%3A%2F%2Fl.instagram.com&utm_source=ig")
end
