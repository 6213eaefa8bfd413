-- wrk script: posts email signups to the pre-save page, each with a new email address.
-- Arguments after `--`: form token, consent version, Origin header, run id.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  token, consent, origin, run = args[1], args[2], args[3], args[4]
  sent = 0
end

function request()
  sent = sent + 1
  local email = string.format("fan-%s-%d-%d%%40example.com", run, thread_id, sent)
  local body = "platform=spotify&form_token=" .. token .. "&consent_version=" .. consent
    .. "&website=&email=" .. email
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
  }, body)
end
