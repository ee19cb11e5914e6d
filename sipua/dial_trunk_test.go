package sipua_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// offer is an SDP offer of PCMA and PCMU on loopback.
func offer(t *testing.T) []byte {
	t.Helper()
	sdp, err := media.NewOffer(netip.MustParseAddr("127.0.0.1"), 40100, []media.Codec{media.PCMA, media.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	return sdp
}

// TestDialChallenged: a carrier (SIPp) challenges the INVITE with 401 or
// 407; with the trunk's credentials the call goes through and is
// answered, and Anxin hangs up; with a wrong password the carrier's 403
// comes back as the call's failure, before any provisional answer.
func TestDialChallenged(t *testing.T) {
	for _, tc := range []struct {
		name, scenario, password string
		code                     int
	}{
		{"401", "testdata/uas_challenge.xml", "s3cret", 200},
		{"407", "testdata/uas_challenge_proxy.xml", "s3cret", 200},
		{"wrong password", "testdata/uas_challenge.xml", "wrong", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := serveAgent(t)
			port := sipptest.FreePort(t)
			wait := sipptest.Serve(t, port, tc.scenario)
			time.Sleep(300 * time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			call, err := a.DialWith(ctx, sip.Uri{User: "13812345678", Host: "127.0.0.1", Port: port}, "02162541234", offer(t), nil,
				sipua.DialOptions{Username: "trunk021", Password: tc.password, NoResponse: 2 * time.Second})
			if tc.code == 200 {
				if err != nil || call.Answer == nil {
					t.Fatalf("call: %v", err)
				}
				if err := call.Hangup(ctx); err != nil {
					t.Fatalf("hang up: %v", err)
				}
			} else {
				var de *sipua.DialError
				if !errors.As(err, &de) || de.Code != tc.code || de.Provisional {
					t.Fatalf("call with a wrong password: %#v", err)
				}
			}
			if out, err := wait(); err != nil {
				t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
			}
		})
	}
}

// TestDialSilentTrunk: nothing answers at the trunk's address, not even
// 100 Trying: the call fails with no code once NoResponse has passed, long
// before the transaction's own 32 s.
func TestDialSilentTrunk(t *testing.T) {
	sipptest.Path(t)
	a, _ := serveAgent(t)
	start := time.Now()
	_, err := a.DialWith(context.Background(), sip.Uri{User: "13812345678", Host: "127.0.0.1", Port: sipptest.FreePort(t)}, "02162541234",
		offer(t), nil, sipua.DialOptions{NoResponse: 500 * time.Millisecond})
	var de *sipua.DialError
	if !errors.As(err, &de) || de.Code != 0 || de.Provisional {
		t.Fatalf("call to nothing: %#v", err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("the silent trunk was waited for %s", took)
	}
	t.Logf("%v (after %s)", err, time.Since(start).Round(time.Millisecond))
}
