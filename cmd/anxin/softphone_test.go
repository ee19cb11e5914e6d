package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"github.com/anxin-care/anxin/web"
)

// toneHz is the tone the softphone sends as the operator's voice.
const toneHz = 1000

// TestSoftphone is issue 5's "a real softphone registers and completes a
// call": baresip registers as operator1's extension to a demo node started
// the way anxin serve starts it, auto-answers a queued hotline call (SIPp
// as the elder, key 0, then speaking) and talks until the elder hangs up;
// then operator1 clicks to call the elder, baresip rings first, the
// carrier (SIPp) answers, and operator1 hangs up on her softphone; then
// operator2's baresip, registered over TLS, takes a queued call the same
// way. The call records, the operators' states, the recordings (the
// elder's speech left, the softphone's tone right) and what the
// softphones heard say so.
func TestSoftphone(t *testing.T) {
	n := newSoftphoneNode(t)
	ctx := context.Background()
	op1, login1 := n.operator(t, "operator1")
	op2, login2 := n.operator(t, "operator2")
	phone1 := startBaresip(t, n.tel.addr, login1.Extension, login1.SIPPassword, "")
	phone2 := startBaresip(t, n.tel.tlsAddr, login2.Extension, login2.SIPPassword, n.cert.CertFile)
	for _, l := range []demo.Login{login1, login2} {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if _, ok := n.tel.agent.Registered(l.Extension); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Anxin did not see baresip register as %s\n%s\n%s", l.Extension, phone1.output(), phone2.output())
			}
		}
	}
	if b, _ := n.tel.agent.Registered(login2.Extension); !isTLSContact(b.Contact.UriParams) {
		t.Fatalf("operator2's phone registered at %s, not over TLS", b.Contact.String())
	}
	if _, err := n.db.MoveAgent(ctx, op1.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
		t.Fatal(err)
	}

	t.Run("queued call answered", func(t *testing.T) {
		n.queuedCall(t, phone1, op1, login1, 2)
	})

	t.Run("click-to-call rings the softphone first", func(t *testing.T) {
		if _, err := n.db.MoveAgent(ctx, op1.ID, anxin.AgentEvent{Event: anxin.EvReady}); err != nil {
			t.Fatal(err)
		}
		elderPhone := sipptest.Serve(t, n.carrier, "uas")
		time.Sleep(300 * time.Millisecond) // SIPp binds its port
		sc := anxin.ScopeOf(op1)
		id := n.clickToCall(t, op1, "13812345678", n.elder.ID)
		phone1.await(t, "CALL_ESTABLISHED")
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			c, err := n.db.FindCall(ctx, sc, id)
			if err == nil && !c.AnsweredAt.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the elder's leg was not answered: %+v %v", c, err)
			}
		}
		time.Sleep(1500 * time.Millisecond) // let the tone be recorded
		phone1.command(t, "hangup")
		phone1.await(t, "CALL_CLOSED")
		if out, err := elderPhone(); err != nil {
			t.Fatalf("elder's phone: %v\n%s", err, sipptest.Tail(out, 2000))
		}
		legs := n.ended(t, 4)
		elder, agentLeg := legs[anxin.LegCaller], legs[anxin.LegAgent]
		if elder.ID != id || elder.Direction != anxin.CallOutbound || elder.Cause != anxin.CauseAnswered || elder.HangupBy != anxin.HangupAgent ||
			elder.AgentID != op1.ID || elder.FromNumber != demo.CityHotline || elder.Recording == "" {
			t.Fatalf("elder's leg %+v", elder)
		}
		if agentLeg.ParentID != id || agentLeg.Cause != anxin.CauseAnswered || agentLeg.AgentID != op1.ID || agentLeg.ToNumber != login1.Extension ||
			agentLeg.HangupBy != anxin.HangupAgent || agentLeg.AnsweredAt.After(elder.AnsweredAt) {
			t.Fatalf("operator's leg %+v (the elder's answered at %s)", agentLeg, elder.AnsweredAt)
		}
		if s, _ := n.db.AgentStatusOf(ctx, op1.ID); s.State != anxin.AgentWrapUp {
			t.Fatalf("operator1 after the call: %s, want %s", s.State, anxin.AgentWrapUp)
		}
		_, right := lastSecond(t, filepath.Join(n.dir, "recordings", elder.Recording))
		t.Logf("last second of the recording: operator's tone share %.2f", toneShare(right, toneHz))
		if r := toneShare(right, toneHz); r < 0.5 {
			t.Errorf("the elder did not hear the softphone's %d Hz tone (share %.2f)", toneHz, r)
		}
	})

	t.Run("queued call answered over TLS", func(t *testing.T) {
		if _, err := n.db.MoveAgent(ctx, op1.ID, anxin.AgentEvent{Event: anxin.EvSignOut}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.db.MoveAgent(ctx, op2.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
			t.Fatal(err)
		}
		n.queuedCall(t, phone2, op2, login2, 6)
	})
}

// queuedCall: an elder (SIPp) rings the city hotline, presses 0 and
// speaks; phone, the only ready operator's, answers by itself; the elder
// hangs up. The call records (want records in all, the newest the caller's
// and the operator's legs), the operator's wrap-up, the recording and what
// the phone heard are checked.
func (n *softphoneNode) queuedCall(t *testing.T, phone *baresip, op *anxin.Account, login demo.Login, want int) {
	t.Helper()
	port := int(netip.MustParseAddrPort(n.tel.addr).Port())
	caller := make(chan error, 1)
	var out []byte
	go func() {
		var err error
		out, err = sipptest.Run(t, port, demo.CityHotline, "testdata/hotline_key0_speak.xml")
		caller <- err
	}()
	phone.await(t, "CALL_ESTABLISHED")
	if err := <-caller; err != nil {
		t.Fatalf("caller: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	phone.await(t, "CALL_CLOSED")
	legs := n.ended(t, want)
	callerLeg, agentLeg := legs[anxin.LegCaller], legs[anxin.LegAgent]
	if callerLeg.AgentID != op.ID || callerLeg.HangupBy != anxin.HangupCaller || callerLeg.Queue != "operator" ||
		callerLeg.Cause != anxin.CauseAnswered || callerLeg.Recording == "" {
		t.Fatalf("caller's leg %+v", callerLeg)
	}
	if agentLeg.ParentID != callerLeg.ID || agentLeg.AgentID != op.ID || agentLeg.Cause != anxin.CauseAnswered || agentLeg.AnsweredAt.IsZero() ||
		agentLeg.ToNumber != login.Extension || agentLeg.HangupBy != anxin.HangupCaller {
		t.Fatalf("operator's leg %+v", agentLeg)
	}
	if s, _ := n.db.AgentStatusOf(context.Background(), op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("%s after the call: %s, want %s", login.Username, s.State, anxin.AgentWrapUp)
	}
	// The last second before the elder hung up: she speaks (left), the
	// softphone's tone comes through the bridge (right).
	left, right := lastSecond(t, filepath.Join(n.dir, "recordings", callerLeg.Recording))
	t.Logf("last second of the recording: elder's level %.0f (tone share %.2f), operator's tone share %.2f",
		energy(left), toneShare(left, toneHz), toneShare(right, toneHz))
	heard := phone.heard(t)
	t.Logf("the operator heard %.1f s at a mean level of %.0f", float64(len(heard))/8000, energy(heard))
	if e := energy(heard); e < 100 {
		t.Errorf("the operator's softphone heard silence (mean level %.0f)", e)
	}
	if e := energy(left); e < 100 {
		t.Errorf("the elder's channel is silent while she speaks (mean level %.0f)", e)
	}
	if r := toneShare(right, toneHz); r < 0.5 {
		t.Errorf("the operator's channel does not carry the softphone's %d Hz tone (share %.2f)", toneHz, r)
	}
}

// softphoneNode is a demo node's telephony started by startTelephony, as
// anxin serve starts it, with an elder whose mobile is 13812345678 and the
// demo trunk's carrier on port carrier, serving SIP over TLS with cert.
type softphoneNode struct {
	db      *store.DB
	tel     *telephony
	srv     *web.Server
	dir     string
	logins  []demo.Login
	elder   *anxin.Elder
	carrier int
	cert    sipptest.Cert // SIP over TLS
}

func newSoftphoneNode(t *testing.T) *softphoneNode {
	t.Helper()
	baresipPath(t)
	sipptest.Path(t)
	ctx := context.Background()
	db, dir := storetest.Open(t, store.SQLite)
	n := &softphoneNode{db: db, dir: dir, carrier: sipptest.FreePort(t), cert: sipptest.SelfSigned(t)}
	var err error
	if n.logins, err = demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	n.elder = &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := db.CreateElder(ctx, anxin.SystemScope(), n.elder); err != nil {
		t.Fatal(err)
	}
	trunks, err := db.Trunks(ctx)
	if err != nil || len(trunks) == 0 {
		t.Fatalf("demo trunks %v %v", trunks, err)
	}
	trunks[0].Host = "127.0.0.1:" + strconv.Itoa(n.carrier)
	if err := db.SaveTrunk(ctx, anxin.SystemScope(), trunks[0]); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Anxin's log:\n%s", tail(logs.String(), 6000))
		}
	})
	n.srv, err = web.New(web.Config{DB: db, Hasher: password.Hasher{P: password.Fast}, Logger: log, Version: "test",
		RecordDir: filepath.Join(dir, "recordings")})
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{DataDir: dir, SIPAddr: "127.0.0.1:0", RTPPorts: "34000-34100",
		SIPTLSCert: n.cert.CertFile, SIPTLSKey: n.cert.KeyFile, SIPTLSAddr: "127.0.0.1:0"}
	sctx, cancel := context.WithCancel(ctx)
	rs, err := recordings.New(recordings.Config{Dir: filepath.Join(dir, "recordings"), DB: db})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	n.tel, err = startTelephony(sctx, db, n.srv, c, "test", log, rs)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); n.tel.close() })
	return n
}

// operator returns a demo operator's account and login.
func (n *softphoneNode) operator(t *testing.T, username string) (*anxin.Account, demo.Login) {
	t.Helper()
	a, err := n.db.AccountByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range n.logins {
		if l.Username == username {
			return a, l
		}
	}
	t.Fatalf("no demo login %s", username)
	return nil, demo.Login{}
}

// clickToCall is the operator's POST /api/v1/calls with her own API
// token; it returns the elder's leg's call record.
func (n *softphoneNode) clickToCall(t *testing.T, op *anxin.Account, number string, elderID int64) int64 {
	t.Helper()
	secret := tokenSecretPrefix + password.Token(24)
	tok := &anxin.APIToken{AccountID: op.ID, Name: "softphone test", Prefix: secret[:8], Hash: password.Digest(secret), CreatedAt: time.Now().UTC()}
	if err := n.db.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(n.srv)
	defer hs.Close()
	body := fmt.Sprintf(`{"number": %q, "elder_id": %d}`, number, elderID)
	req, _ := http.NewRequest("POST", hs.URL+"/api/v1/calls", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		CallID int64 `json:"call_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusAccepted || res.CallID == 0 {
		t.Fatalf("POST /api/v1/calls: %s %+v %v", resp.Status, res, err)
	}
	return res.CallID
}

// ended waits until there are want call records, all ended, and returns
// the newest of each leg kind.
func (n *softphoneNode) ended(t *testing.T, want int) map[string]*anxin.Call {
	t.Helper()
	var calls []*anxin.Call
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		calls, _, err = n.db.FindCalls(context.Background(), anxin.SystemScope(), anxin.CallFilter{})
		if err != nil || len(calls) != want {
			continue
		}
		legs := map[string]*anxin.Call{}
		open := false
		for _, c := range calls {
			open = open || c.EndedAt.IsZero()
			if legs[c.Leg] == nil || c.ID > legs[c.Leg].ID {
				legs[c.Leg] = c
			}
		}
		if !open {
			return legs
		}
	}
	for _, c := range calls {
		t.Logf("call %+v", c)
	}
	t.Fatalf("want %d ended call records, have %d (%v)", want, len(calls), err)
	return nil
}

// isTLSContact reports whether a contact's parameters say transport=tls.
func isTLSContact(params sip.HeaderParams) bool {
	v, _ := params.Get("transport")
	return strings.EqualFold(v, "tls")
}

// lastSecond returns the last second of each channel of a stereo 16-bit
// 8 kHz recording.
func lastSecond(t *testing.T, path string) (left, right []float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 || string(b[0:4]) != "RIFF" || binary.LittleEndian.Uint16(b[22:24]) != 2 {
		t.Fatalf("%s is not a stereo WAV", path)
	}
	data := b[44:]
	const frame = 4 // two 16-bit samples
	if len(data) < 8000*frame {
		t.Fatalf("%s is shorter than a second", path)
	}
	for i := len(data)/frame*frame - 8000*frame; i+frame <= len(data); i += frame {
		left = append(left, float64(int16(binary.LittleEndian.Uint16(data[i:]))))
		right = append(right, float64(int16(binary.LittleEndian.Uint16(data[i+2:]))))
	}
	return left, right
}

// energy is the mean absolute level of samples.
func energy(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(v)
	}
	return s / float64(len(x))
}

// toneShare is the share of the signal's power at hz (Goertzel, 8 kHz):
// about 1 for a pure tone at hz, near 0 for speech or silence.
func toneShare(x []float64, hz float64) float64 {
	w := 2 * math.Pi * hz / 8000
	var s1, s2, total float64
	for _, v := range x {
		s1, s2 = v+2*math.Cos(w)*s1-s2, s1
		total += v * v
	}
	if total == 0 {
		return 0
	}
	p := s1*s1 + s2*s2 - 2*math.Cos(w)*s1*s2
	return p / (float64(len(x)) / 2 * total)
}
