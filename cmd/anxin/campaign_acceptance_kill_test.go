package main

import (
	"context"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// killMidCampaign is step 5 of TestCampaignAcceptance: an agentless
// campaign over the generated elders of another street with the node's
// 30 campaign channels; SIPp rings each call 1–3 s and the elder presses
// 1 after 4 s. While about 30 calls are up the node is killed with
// SIGKILL, started again on the same data directory, left to dial a
// while and stopped (SIGTERM, as systemd stops it). Then: no task has two
// calls, no number got two INVITEs (SIPp's trace against the attempts
// recorded), the attempts and calls the kill left open are closed as
// interrupted, and more attempts were made after the restart.
func (a *acceptance) killMidCampaign(t *testing.T) {
	if a.checkin != nil {
		a.checkin.stop() // the same port: the load phase's carrier takes over
	}
	sipp := startCarrier(t, a.carrierPort, "testdata/campaign_load_carrier.xml")
	id, made := a.startAgentless(t, "北新泾街道关爱问候（断电演练）", loadStreet)
	if made < 200 {
		t.Fatalf("%d tasks made over %s, want 200 or more", made, loadStreet)
	}
	m := campaignMeter{t: t, a: a, id: id}
	// Until calls have ended and about 30 are up at once.
	start := time.Now()
	for deadline := start.Add(60 * time.Second); m.completed() < 10 || m.callsUp() < 25; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %d completed, %d calls up, %d attempts", m.completed(), m.callsUp(), m.attempts())
		}
	}
	a.proc.kill9(t)
	killedAt := time.Now()
	k := killed{attempts: m.attempts(),
		open: ids(t, a, `SELECT a.id FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
			WHERE t.campaign_id = $1 AND a.ended_at IS NULL`, id),
		calls: ids(t, a, `SELECT c.id FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id
			WHERE t.campaign_id = $1 AND c.ended_at IS NULL`, id)}
	t.Logf("killed with SIGKILL %s after the start: %d attempts, %d completed, %d open, %d calls up",
		killedAt.Sub(start).Round(time.Millisecond), k.attempts, m.completed(), len(k.open), len(k.calls))

	a.proc = startAnxinProcess(t, a.bin, a.serveArgs()...)
	t.Logf("started again in %s", time.Since(killedAt).Round(time.Millisecond))
	for deadline := time.Now().Add(60 * time.Second); m.attempts() < k.attempts+40; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the campaign did not go on after the restart: %d attempts, %d before the kill", m.attempts(), k.attempts)
		}
	}
	a.proc.stop(t)
	time.Sleep(time.Second) // SIPp answers the last BYEs
	sipp.stop()
	t.Logf("after the restart and a clean stop: %d attempts (%d before the kill), %d completed", m.attempts(), k.attempts, m.completed())
	a.auditKill(t, id, k)
	a.auditInvites(t, id, sipp)
}

// campaignMeter reads a campaign's figures from the database.
type campaignMeter struct {
	t  *testing.T
	a  *acceptance
	id int64
}

func (m campaignMeter) attempts() int {
	return count(m.t, m.a.db, `SELECT COUNT(*) FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
		WHERE t.campaign_id = $1`, m.id)
}

func (m campaignMeter) completed() int {
	return count(m.t, m.a.db, `SELECT COUNT(*) FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
		WHERE t.campaign_id = $1 AND a.disposition = $2`, m.id, anxin.DispCompleted)
}

func (m campaignMeter) callsUp() int {
	return count(m.t, m.a.db, `SELECT COUNT(*) FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id
		WHERE t.campaign_id = $1 AND c.ended_at IS NULL`, m.id)
}

// killed is what the database held right after the kill: attempts made,
// attempts and calls still open.
type killed struct {
	attempts    int
	open, calls map[int64]bool
}

// auditKill checks the campaign's attempts and calls after the kill, the
// restart and the clean stop.
func (a *acceptance) auditKill(t *testing.T, id int64, k killed) {
	audit, err := a.db.AuditDialling(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("audit: %+v", audit)
	if audit.DuplicateAttempts != 0 || audit.UnlinkedCalls != 0 || audit.SharedCalls != 0 || audit.Overlapping != 0 {
		t.Errorf("dialled twice: %+v", audit)
	}
	if n := count(t, a.db, `SELECT COUNT(*) FROM (SELECT c.campaign_task_id FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id
		WHERE t.campaign_id = $1 GROUP BY c.campaign_task_id HAVING COUNT(*) > 1) d`, id); n != 0 {
		t.Errorf("%d tasks have more than one call today", n)
	}
	for attempt := range k.open {
		if n := count(t, a.db, `SELECT COUNT(*) FROM campaign_attempts WHERE id = $1 AND ended_at IS NOT NULL AND disposition = $2`,
			attempt, anxin.DispInterrupted); n != 1 {
			t.Errorf("attempt %d, open at the kill, is not closed as interrupted: %v", attempt,
				rowsOf(t, a, `SELECT disposition FROM campaign_attempts WHERE id = $1`, attempt))
		}
	}
	for call := range k.calls {
		if n := count(t, a.db, `SELECT COUNT(*) FROM calls WHERE id = $1 AND ended_at IS NOT NULL AND cause = $2`,
			call, anxin.CauseInterrupted); n != 1 {
			t.Errorf("call %d, up at the kill, is not closed as interrupted", call)
		}
	}
	if n := (campaignMeter{t: t, a: a, id: id}).callsUp(); n != 0 {
		t.Errorf("%d calls of the campaign are still open after the clean stop", n)
	}
	if after := (campaignMeter{t: t, a: a, id: id}).attempts(); after <= k.attempts {
		t.Errorf("no attempt after the restart: %d before, %d after", k.attempts, after)
	}
}

// auditInvites checks SIPp's side: each number it was sent an INVITE for
// got one (one Call-ID), and only for an attempt that recorded a call to
// it; every call the carrier answered is one SIPp saw.
func (a *acceptance) auditInvites(t *testing.T, id int64, sipp *carrier) {
	calls := map[string]int{}
	for _, n := range rowsOf(t, a, `SELECT a.number FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
		WHERE t.campaign_id = $1 AND a.call_id IS NOT NULL`, id) {
		calls[n]++
	}
	seen := sipp.invites(t)
	invites := 0
	for number, callIDs := range seen {
		invites += len(callIDs)
		if len(callIDs) > 1 || len(callIDs) > calls[number] {
			t.Errorf("%s got %d INVITEs (distinct Call-IDs); %d attempts recorded a call to it", number, len(callIDs), calls[number])
		}
	}
	t.Logf("SIPp saw %d INVITEs to %d numbers; %d numbers' attempts recorded a call", invites, len(seen), len(calls))
	answered := rowsOf(t, a, `SELECT a.number FROM campaign_attempts a JOIN calls c ON c.id = a.call_id
		JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1 AND c.answered_at IS NOT NULL`, id)
	for _, n := range answered {
		if len(seen[n]) != 1 {
			t.Errorf("the call to %s was answered, but SIPp saw %d INVITEs to it", n, len(seen[n]))
		}
	}
	if all := len(rowsOf(t, a, `SELECT a.number FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
		WHERE t.campaign_id = $1`, id)); len(answered) < all/2 {
		t.Errorf("only %d of %d attempts' calls were answered", len(answered), all)
	}
}
