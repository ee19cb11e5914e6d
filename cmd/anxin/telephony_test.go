package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
)

// TestServeDemoHotlineCall is the "done when" as far as it goes
// today: `anxin serve --demo --sip-addr 127.0.0.1:PORT` answers a SIPp
// call to 966666 from this machine, plays the menu, takes the key, records
// the call, and the call record says so.
func TestServeDemoHotlineCall(t *testing.T) {
	sipptest.Path(t)
	dir := t.TempDir()
	port := sipptest.FreePort(t)
	_, out := serveAnxin(t, "--demo", "--data", dir, "--sip-addr", "127.0.0.1:"+strconv.Itoa(port), "--rtp-ports", "32000-32100")
	if !strings.Contains(out.String(), "Telephony: SIP on udp/tcp 127.0.0.1:"+strconv.Itoa(port)) || !strings.Contains(out.String(), "966666") {
		t.Fatalf("start-up output lacks the telephony line:\n%s", out)
	}
	if b, err := sipptest.Run(t, port, "966666", "../../callflow/testdata/hotline_key1.xml"); err != nil {
		t.Fatalf("sipp: %v\n%s", err, sipptest.Tail(b, 2000))
	}
	db, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var calls []*anxin.Call
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		calls, _, err = db.FindCalls(context.Background(), anxin.SystemScope(), anxin.CallFilter{})
		if err == nil && len(calls) == 1 && !calls[0].EndedAt.IsZero() {
			break
		}
	}
	if len(calls) != 1 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	c := calls[0]
	if c.Cause != anxin.CauseAnswered || c.Queue != "consultation" || c.Recording == "" || c.HangupBy != anxin.HangupCaller {
		t.Fatalf("call record %+v", c)
	}
	if st, err := os.Stat(filepath.Join(dir, "recordings", c.Recording)); err != nil || st.Size() < 44+8000 {
		t.Fatalf("recording %v %v", st, err)
	}
}
