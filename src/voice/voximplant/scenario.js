/*
 * Dozvon's VoxEngine scenario (protocol v1). Uploaded to Voximplant by
 * `npm run cli -- voice-setup voximplant`, which replaces __BASE__ with Dozvon's PUBLIC_URL.
 *
 * One session per call attempt, started by the Management API's StartScenarios with the custom
 * data "<attemptId>.<callToken>" (nothing else: VoxEngine.customData() holds at most 200 bytes).
 * Everything else comes from Dozvon in answer to the first callback:
 *   started   → {op:"dial", to, callerId, trunk, amd, amdModel, greetingUrl, ringTimeoutSec, maxDurationSec}
 *               or {op:"abort"} (the attempt is over, or another session already has it)
 *   answered  → {op:"actions", step, actions:[...], speech:{voice, recognizer, locale, language}}
 *   heard / transferred → the next {op:"actions", ...}; an empty list = stay bridged to the operator
 *   ringing, amd, ended → events ("amd" may answer {op:"hangup"}: a machine in background detection)
 * Every callback is signed: X-Dozvon-Signature: sha256=<hex HMAC-SHA256 over "<ts>.<body>"> keyed
 * with the call token, so a callback cannot be forged for another attempt. Dozvon hangs a call up
 * by posting {op:"hangup", sig} to the session's media_session_access_secure_url.
 * The call is recorded in stereo and lossless: left = what the callee hears (bot, operator),
 * right = the callee.
 */
require(Modules.ASR);

var BASE = '__BASE__';
var PROTOCOL = 1;
var s = null;
var call = null;

VoxEngine.addEventListener(AppEvents.Started, function (e) {
  start(e).catch(function (err) {
    Logger.write('dozvon: start failed: ' + err);
    VoxEngine.terminate();
  });
});

VoxEngine.addEventListener(AppEvents.HttpRequest, function (e) {
  var m;
  try {
    m = JSON.parse(e.content || '{}');
  } catch {
    return; // not ours
  }
  if (!s || m.op !== 'hangup' || m.sig !== Crypto.hmac_sha256(s.key, 'hangup.' + s.attemptId)) return;
  s.remote = true;
  if (call) call.hangup();
  else if (!s.finished) finish({ reason: 'cancelled before dialling' });
});

VoxEngine.addEventListener(AppEvents.Terminating, function () {
  // Only one request is allowed here: the end Dozvon would otherwise never hear of.
  if (s && !s.finished) post({ type: 'ended', reason: 'session_terminated', talkSec: 0, durationSec: 0 }, 1);
});

async function start(e) {
  var parts = String(VoxEngine.customData() || '').split('.');
  s = { attemptId: parts[0], key: parts[1], seq: 0, sessionId: String(e.sessionId), t: {}, timers: {}, finished: false, leg: null, remote: false, ringTimeout: false, machine: false, recUrl: null, recording: false, cost: 0 };
  var go = await post({ type: 'started', sessionId: s.sessionId });
  if (!go || go.op !== 'dial') {
    s.finished = true;
    VoxEngine.terminate();
    return;
  }
  dial(go);
}

/** One signed callback; the response body is Dozvon's instruction. Retried once on a network error or 5xx. */
async function post(ev, tries) {
  ev.v = PROTOCOL;
  ev.attemptId = s.attemptId;
  ev.seq = ++s.seq;
  ev.at = new Date().toISOString();
  var body = JSON.stringify(ev);
  for (var i = 0; i < (tries || 2); i++) {
    var ts = String(Math.floor(Date.now() / 1000));
    var headers = { 'Content-Type': 'application/json', 'X-Dozvon-Timestamp': ts, 'X-Dozvon-Signature': 'sha256=' + Crypto.hmac_sha256(s.key, ts + '.' + body) };
    var r = await Net.httpRequestAsync(BASE + '/voice/voximplant/events', { method: 'POST', postData: body, headers: headers, timeout: 30, connectionTimeout: 5 });
    if (r.code >= 200 && r.code < 300) {
      try {
        return r.text ? JSON.parse(r.text) : null;
      } catch {
        return null; // not an instruction: treated as none
      }
    }
    if (r.code >= 400 && r.code < 500) return null; // refused: repeating the same body will not help
  }
  return null;
}

function resolve(root, path) {
  var v = root;
  String(path || '').split('.').forEach(function (k) {
    v = v ? v[k] : undefined;
  });
  return v;
}

function dial(go) {
  s.dial = go;
  var amd = go.amd && go.amd !== 'off' ? AMD.create({ model: go.amdModel === 'RU' ? AMD.Model.RU : AMD.Model.EU_GENERAL, timeout: 6500 }) : null;
  s.t.dial = Date.now();
  if (go.trunk) call = VoxEngine.callSIP('sip:' + go.to.replace(/^\+/, '') + '@' + go.trunk, { callerid: go.callerId });
  else call = VoxEngine.callPSTN(go.to, go.callerId, amd ? { amd: amd } : undefined);
  // Unanswered calls fail by themselves only after 60 s: the template's ring timeout is ours to keep.
  s.timers.ring = setTimeout(function () {
    s.ringTimeout = true;
    call.hangup();
  }, go.ringTimeoutSec * 1000);
  s.timers.cap = setTimeout(function () {
    call.hangup();
  }, go.maxDurationSec * 1000);
  call.addEventListener(CallEvents.Ringing, function () {
    post({ type: 'ringing' });
  });
  call.addEventListener(CallEvents.Failed, function (e) {
    finish({ failCode: e.code, reason: e.reason });
  });
  call.addEventListener(CallEvents.RecordStarted, function (e) {
    s.recUrl = e.url;
    s.recording = true;
  });
  call.addEventListener(CallEvents.RecordStopped, function (e) {
    s.recUrl = e.url || s.recUrl;
    s.cost += Number(e.cost || 0);
    s.recording = false;
    if (s.onRecordStopped) s.onRecordStopped();
  });
  call.addEventListener(CallEvents.Disconnected, function (e) {
    s.cost += Number(e.cost || 0);
    finish({ internalCode: e.internalCode, reason: e.reason });
  });
  call.addEventListener(CallEvents.Connected, function () {
    connected(amd).catch(function (err) {
      Logger.write('dozvon: dialogue failed: ' + err);
      call.hangup();
    });
  });
}

function verdictOf(r) {
  if (!r) return 'not_sure';
  if (r.resultClass === AMD.ResultClass.HUMAN) return 'human';
  if (r.resultClass === AMD.ResultClass.VOICEMAIL) return 'machine';
  return 'not_sure';
}

/** The detector's verdict, or "not sure" when it has none in time. */
function amdVerdict(amd) {
  return new Promise(function (done) {
    var over = false;
    var t = setTimeout(function () {
      end('not_sure');
    }, 9000);
    function end(v) {
      if (over) return;
      over = true;
      clearTimeout(t);
      done(v);
    }
    amd.addEventListener(AMD.Events.DetectionComplete, function (r) {
      end(verdictOf(r));
    });
    amd.addEventListener(AMD.Events.DetectionError, function () {
      end('not_sure');
    });
  });
}

async function connected(amd) {
  clearTimeout(s.timers.ring);
  s.t.answer = Date.now();
  call.record({ stereo: true, lossless: true });
  call.handleTones(true);
  var verdict;
  if (amd && s.dial.amd === 'blocking') {
    // The bot stays silent until a person is confirmed; a greeting may fill the silence.
    if (s.dial.greetingUrl) call.startPlayback(s.dial.greetingUrl);
    verdict = await amdVerdict(amd);
    if (s.dial.greetingUrl) call.stopPlayback();
  } else if (amd) {
    amdVerdict(amd).then(function (v) {
      post({ type: 'amd', verdict: v }).then(function (op) {
        if (op && op.op === 'hangup' && !s.finished) {
          s.machine = true;
          call.hangup();
        }
      });
    });
  }
  var reply = await post({ type: 'answered', step: 0, amd: verdict });
  while (reply && reply.op === 'actions' && !s.finished) {
    var result = await perform(reply.actions, reply.speech);
    if (s.finished) return;
    if (!result) {
      // No input to report: a hang-up was asked for, or the transfer is bridged (stay until someone hangs up).
      if (reply.actions.length && reply.actions[reply.actions.length - 1].kind !== 'transfer') call.hangup();
      return;
    }
    result.step = reply.step;
    reply = await post(result);
  }
  // Dozvon unreachable or refusing: no dead air on the callee's line.
  if (!s.finished) call.hangup();
}

/** Performs one batch of actions; returns the input to report, or null when the call should end (or stays bridged). */
async function perform(actions, speech) {
  for (var i = 0; i < actions.length; i++) {
    var a = actions[i];
    if (s.finished) return null;
    if (a.listen) return listen(a, speech);
    if (a.kind === 'say') await speak(a.text, speech);
    else if (a.kind === 'play') await playUrl(a.url);
    else if (a.kind === 'pause') await wait(a.seconds * 1000);
    else if (a.kind === 'transfer') return bridge(a);
    else if (a.kind === 'hangup') {
      call.hangup();
      return null;
    }
  }
  return null;
}

function wait(ms) {
  return new Promise(function (done) {
    setTimeout(done, ms);
  });
}

function voiceOf(speech) {
  return resolve(VoiceList, speech && speech.voice) || undefined;
}

function speak(text, speech) {
  return new Promise(function (done) {
    function h(e) {
      call.removeEventListener(CallEvents.PlaybackFinished, h);
      done(e && e.error ? e.error : null);
    }
    call.addEventListener(CallEvents.PlaybackFinished, h);
    call.say(text, { voice: voiceOf(speech), progressivePlayback: true });
  });
}

function playUrl(url) {
  return new Promise(function (done) {
    function h() {
      call.removeEventListener(CallEvents.PlaybackFinished, h);
      done();
    }
    call.addEventListener(CallEvents.PlaybackFinished, h);
    call.startPlayback(url);
  });
}

/** ASR profile per locale when the template names none: T-Bank for Russian (phone audio), Google for English. */
function profileOf(speech) {
  var name = (speech && speech.recognizer) || (speech && speech.locale === 'ru-RU' ? 'TBank.ru_RU' : 'Google.en_US');
  return { name: name, profile: resolve(ASRProfileList, name) };
}

/** The prompt plays; the callee answers by voice (recognised) or by a key; silence after the prompt ends the wait. */
function listen(a, speech) {
  return new Promise(function (done) {
    var p = profileOf(speech);
    var google = p.name.indexOf('Google.') === 0;
    var asr = a.listen.speech ? VoxEngine.createASR({ profile: p.profile, singleUtterance: true, phraseHints: google && a.listen.hints.length ? a.listen.hints.slice(0, 500) : undefined }) : null;
    var timer = null;
    var over = false;
    function arm(ms) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        end({ type: 'heard', text: '' });
      }, ms);
    }
    function end(r) {
      if (over) return;
      over = true;
      clearTimeout(timer);
      call.removeEventListener(CallEvents.ToneReceived, tone);
      call.removeEventListener(CallEvents.PlaybackFinished, played);
      if (asr) {
        call.stopMediaTo(asr);
        asr.stop();
      }
      done(r);
    }
    function tone(e) {
      if (a.listen.dtmf) {
        call.stopPlayback();
        end({ type: 'heard', text: '', dtmf: String(e.tone) });
      }
    }
    function played() {
      arm(a.listen.timeoutSec * 1000);
    }
    if (asr) {
      asr.addEventListener(ASREvents.CaptureStarted, function () {
        // Barge-in: the callee speaks over the prompt; give the recogniser time for the whole answer.
        call.stopPlayback();
        arm(15000);
      });
      asr.addEventListener(ASREvents.Result, function (e) {
        var c = Number(e.confidence);
        // Some providers score 0..100, others 0..1.
        end({ type: 'heard', text: e.text || '', confidence: isFinite(c) ? (c > 1 ? c / 100 : c) : undefined });
      });
      asr.addEventListener(ASREvents.ASRError, function (e) {
        end({ type: 'heard', text: '', error: String(e.error) });
      });
      call.sendMediaTo(asr);
    }
    call.addEventListener(CallEvents.ToneReceived, tone);
    call.addEventListener(CallEvents.PlaybackFinished, played);
    if (a.kind === 'say') call.say(a.text, { voice: voiceOf(speech), progressivePlayback: true });
    else if (a.kind === 'play') call.startPlayback(a.url);
    else arm((a.seconds + a.listen.timeoutSec) * 1000);
  });
}

/** Dials the transfer target(s) and bridges the first who answers; reports how it went. */
async function bridge(a) {
  var targets = a.strategy === 'simultaneous' ? [a.to] : a.to.map(function (n) {
    return [n];
  });
  var last = 'failed';
  for (var i = 0; i < targets.length && !s.finished; i++) {
    var r = await ring(targets[i], a);
    if (r.connected) return { type: 'transferred', connected: true, result: 'answered' };
    last = r.result;
  }
  return { type: 'transferred', connected: false, result: last };
}

function ring(numbers, a) {
  return new Promise(function (done) {
    var legs = [];
    var over = false;
    var results = [];
    var t = setTimeout(function () {
      legs.forEach(function (l) {
        l.hangup();
      });
      end({ connected: false, result: 'no_answer' });
    }, a.ringTimeoutSec * 1000);
    function end(r) {
      if (over) return;
      over = true;
      clearTimeout(t);
      done(r);
    }
    numbers.forEach(function (n) {
      var leg = /^sips?:/.test(n) ? VoxEngine.callSIP(n, { callerid: s.dial.callerId }) : a.trunk ? VoxEngine.callSIP('sip:' + n.replace(/^\+/, '') + '@' + a.trunk, { callerid: s.dial.callerId }) : VoxEngine.callPSTN(n, s.dial.callerId);
      legs.push(leg);
      leg.addEventListener(CallEvents.Connected, function () {
        if (over) {
          leg.hangup();
          return;
        }
        legs.forEach(function (l) {
          if (l !== leg) l.hangup();
        });
        VoxEngine.sendMediaBetween(call, leg);
        s.leg = leg;
        leg.addEventListener(CallEvents.Disconnected, function () {
          call.hangup();
        });
        end({ connected: true, result: 'answered' });
      });
      leg.addEventListener(CallEvents.Failed, function (e) {
        results.push(e.code === 486 || e.code === 603 ? 'busy' : e.code === 408 || e.code === 480 || e.code === 487 ? 'no_answer' : 'failed');
        if (results.length === numbers.length) end({ connected: false, result: results.indexOf('busy') >= 0 ? 'busy' : results[0] });
      });
    });
  });
}

async function finish(x) {
  if (s.finished) return;
  s.finished = true;
  var endedAt = Date.now();
  clearTimeout(s.timers.ring);
  clearTimeout(s.timers.cap);
  if (s.leg) s.leg.hangup();
  // The recording stops after the call ends; its final link and cost come with RecordStopped.
  if (s.recording) {
    await new Promise(function (done) {
      var t = setTimeout(done, 5000);
      s.onRecordStopped = function () {
        clearTimeout(t);
        done();
      };
    });
  }
  var ev = {
    type: 'ended',
    ringTimeout: s.ringTimeout,
    remote: s.remote,
    machine: s.machine,
    recordingUrl: s.recUrl,
    durationSec: s.t.dial ? (endedAt - s.t.dial) / 1000 : 0,
    talkSec: s.t.answer ? (endedAt - s.t.answer) / 1000 : 0,
    cost: s.cost,
  };
  Object.keys(x).forEach(function (k) {
    ev[k] = x[k];
  });
  await post(ev);
  VoxEngine.terminate();
}
