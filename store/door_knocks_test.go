package store_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// mustFailTask runs the welfare chain for the elder (who has a number of
// her own): a wellness campaign of one attempt over her committee, made
// by sup, whose call goes unanswered, so that FinishAttempt opens a
// door-knock. It returns the door-knock's id.
func mustFailTask(t *testing.T, db *store.DB, sup anxin.Scope, e *anxin.Elder) int64 {
	t.Helper()
	day := db.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	c := &anxin.Campaign{Name: "关爱问候 " + e.Name, Type: anxin.CampaignWellness, Mode: anxin.DialPreview, StartsOn: day,
		MaxAttempts: 1, RegionCode: e.RegionCode}
	if err := db.CreateCampaign(ctx, sup, c); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BuildTasks(ctx, sup, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	a, err := db.NextTask(ctx, c.ID, "node", time.Minute)
	if err != nil || a == nil || a.Task.ElderID != e.ID {
		t.Fatalf("lease %+v %v", a, err)
	}
	if task, err := db.FinishAttempt(ctx, a.ID, "node", anxin.DispNoAnswer, time.Time{}); err != nil || task.State != anxin.TaskFailed {
		t.Fatalf("unanswered %+v %v", task, err)
	}
	id, err := db.CountRows(ctx, "SELECT MAX(id) FROM door_knocks WHERE task_id = $1", a.Task.ID)
	if err != nil || id == 0 {
		t.Fatalf("no door-knock for the failed task: %v", err)
	}
	return int64(id)
}

// TestDoorKnockLifecycle: the committee's staff see their elder's
// door-knock (another committee does not, a hotline operator may not act),
// acknowledge it once, record "not home" (visit again tomorrow), then
// "needs something", which closes it, opens a service work order taken by
// the committee and marks the elder reached; an emergency opens an
// escalation order of urgency emergency.
func TestDoorKnockLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		c1 := mustCreateOrg(t, db, anxin.OrgCommittee, "源园居委会", "310107005001")
		c3 := mustCreateOrg(t, db, anxin.OrgCommittee, "另一居委会", "310107005003")
		street := mustCreateOrg(t, db, anxin.OrgStreet, "曹杨新村街道办事处", "310107005")
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区热线", "310107")
		staff := anxin.ScopeOf(mustCreateAccount(t, db, c1, "c1", anxin.RoleCommunity))
		other := anxin.ScopeOf(mustCreateAccount(t, db, c3, "c3", anxin.RoleCommunity))
		streetStaff := anxin.ScopeOf(mustCreateAccount(t, db, street, "s1", anxin.RoleCommunity))
		op := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator))
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		wang := mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Address: "枫桥路5号楼302室",
			Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}})
		id := mustFailTask(t, db, sup, wang)

		list, total, err := db.FindDoorKnocks(ctx, staff, anxin.KnockFilter{})
		if err != nil || total != 1 || len(list) != 1 || list[0].ElderName != "王秀英" || list[0].Elder == nil ||
			len(list[0].Elder.Phones) != 1 || list[0].Elder.Address != "枫桥路5号楼302室" || list[0].State != anxin.KnockOpen ||
			list[0].CampaignName != "关爱问候 王秀英" || list[0].Attempts != 1 || list[0].Disposition != anxin.DispNoAnswer ||
			!list[0].DueAt.Equal(now.Add(store.DoorKnockWithin)) {
			t.Fatalf("the committee's list: %d %+v %v", total, list, err)
		}
		if _, total, _ := db.FindDoorKnocks(ctx, streetStaff, anxin.KnockFilter{}); total != 1 {
			t.Fatalf("the street office sees %d of its committees' door-knocks, want 1", total)
		}
		if _, total, _ := db.FindDoorKnocks(ctx, other, anxin.KnockFilter{}); total != 0 {
			t.Fatalf("another committee sees %d door-knocks", total)
		}
		if _, err := db.FindDoorKnock(ctx, other, id); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("another committee opened it: %v", err)
		}
		if _, err := db.AcknowledgeDoorKnock(ctx, other, id); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("another committee acknowledged it: %v", err)
		}
		if _, err := db.AcknowledgeDoorKnock(ctx, op, id); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("a hotline operator acknowledged it: %v", err)
		}
		if c, err := db.CountDoorKnocks(ctx, staff, now); err != nil || c != (store.KnockCounts{Open: 1, Mine: 1}) {
			t.Fatalf("committee's counts %+v %v", c, err)
		}
		if c, _ := db.CountDoorKnocks(ctx, streetStaff, now.Add(25*time.Hour)); c != (store.KnockCounts{Open: 1, Overdue: 1}) {
			t.Fatalf("street's counts a day later %+v", c)
		}

		now = now.Add(time.Hour)
		k, err := db.AcknowledgeDoorKnock(ctx, staff, id)
		if err != nil || k.State != anxin.KnockAcknowledged || k.AcknowledgedByName != "c1" || !k.AcknowledgedAt.Equal(now) {
			t.Fatalf("acknowledged %+v %v", k, err)
		}
		if _, err := db.AcknowledgeDoorKnock(ctx, streetStaff, id); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("acknowledged twice: %v", err)
		}

		now = now.Add(2 * time.Hour)
		k, err = db.RecordDoorKnockVisit(ctx, staff, id, anxin.KnockVisit{Result: anxin.KnockNotHome, Note: "敲门无人应答，邻居说早上见过"})
		if err != nil || k.State != anxin.KnockAcknowledged || k.Result != anxin.KnockNotHome || k.Visits != 1 ||
			!k.DueAt.Equal(now.Add(store.DoorKnockRevisitWithin)) {
			t.Fatalf("not home %+v %v", k, err)
		}
		if e, _ := db.FindElder(ctx, anxin.SystemScope(), wang.ID); !e.LastContactAt.IsZero() {
			t.Fatal("nobody at home marked the elder reached")
		}
		if _, err := db.RecordDoorKnockVisit(ctx, staff, id, anxin.KnockVisit{Result: anxin.KnockNeedsSomething}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("needs something without saying what: %v", err)
		}
		if _, err := db.RecordDoorKnockVisit(ctx, staff, id, anxin.KnockVisit{Result: "fine"}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("an unknown result: %v", err)
		}

		now = now.Add(20 * time.Hour)
		k, err = db.RecordDoorKnockVisit(ctx, staff, id, anxin.KnockVisit{Result: anxin.KnockNeedsSomething, Note: "降压药快吃完了，需要代购"})
		if err != nil || k.State != anxin.KnockClosed || k.Visits != 2 || !k.ClosedAt.Equal(now) || k.OrderID == 0 {
			t.Fatalf("needs something %+v %v", k, err)
		}
		o, err := db.FindOrder(ctx, staff, k.OrderID)
		if err != nil || o.Type != anxin.TypeService || o.Channel != anxin.ChannelCommittee || o.Urgency != anxin.UrgencyNormal ||
			o.ElderID != wang.ID || o.Description != "降压药快吃完了，需要代购" || o.OwnerOrgID != c1.ID {
			t.Fatalf("the work order %+v %v", o, err)
		}
		wantContains(t, o.Title, "降压药快吃完了")
		if e, _ := db.FindElder(ctx, anxin.SystemScope(), wang.ID); !e.LastContactAt.Equal(now) {
			t.Fatalf("the visit did not mark the elder reached: %v", e.LastContactAt)
		}
		if _, err := db.RecordDoorKnockVisit(ctx, staff, id, anxin.KnockVisit{Result: anxin.KnockAllWell}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("a result for a closed door-knock: %v", err)
		}
		if _, total, _ := db.FindDoorKnocks(ctx, staff, anxin.KnockFilter{}); total != 0 {
			t.Fatalf("%d still to do after closing", total)
		}
		if list, total, _ := db.FindDoorKnocks(ctx, staff, anxin.KnockFilter{State: anxin.KnockClosed}); total != 1 || list[0].Result != anxin.KnockNeedsSomething {
			t.Fatalf("closed list %d %+v", total, list)
		}

		// Emergency, recorded straight away by the street office.
		li := mustCreateElder(t, db, &anxin.Elder{Name: "李阿婆", RegionCode: "310107005004",
			Phones: []anxin.Phone{{Number: "13912345678", Label: anxin.PhoneMobile}}})
		id2 := mustFailTask(t, db, sup, li)
		k, err = db.RecordDoorKnockVisit(ctx, streetStaff, id2, anxin.KnockVisit{Result: anxin.KnockEmergency, Note: "老人摔倒在地，已叫120"})
		if err != nil || k.State != anxin.KnockClosed || k.AcknowledgedByName != "s1" || k.OrderID == 0 {
			t.Fatalf("emergency %+v %v", k, err)
		}
		if o, _ := db.FindOrder(ctx, streetStaff, k.OrderID); o.Type != anxin.TypeEscalation || o.Urgency != anxin.UrgencyEmergency {
			t.Fatalf("the escalation %+v", o)
		}
	})
}

// TestDoorKnockEscalation: a door-knock nobody acknowledges in time goes
// to the street office, then to the district's hotline; a committee with
// no active account hands it to the street at once (and a street with
// nobody to the district); acknowledged ones stay; two passes at once hand
// nothing up twice.
func TestDoorKnockEscalation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		c1 := mustCreateOrg(t, db, anxin.OrgCommittee, "源园居委会", "310107005001")
		mustCreateOrg(t, db, anxin.OrgCommittee, "无人居委会", "310107005003") // nobody works there
		street := mustCreateOrg(t, db, anxin.OrgStreet, "曹杨新村街道办事处", "310107005")
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区热线", "310107")
		staff := anxin.ScopeOf(mustCreateAccount(t, db, c1, "c1", anxin.RoleCommunity))
		streetStaff := anxin.ScopeOf(mustCreateAccount(t, db, street, "s1", anxin.RoleCommunity))
		mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator) // an operator works no door-knocks
		district := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))

		elder := func(name, committee, number string) *anxin.Elder {
			return mustCreateElder(t, db, &anxin.Elder{Name: name, RegionCode: committee, Phones: []anxin.Phone{{Number: number, Label: anxin.PhoneMobile}}})
		}
		a := elder("甲", "310107005001", "13800000001")
		b := elder("乙", "310107005003", "13800000002")
		// A street with no office in Anxin: to the district at once.
		c := elder("丙", "310107014001", "13800000003")
		due := now.Add(store.DoorKnockWithin)
		ka, kb, kc := mustFailTask(t, db, district, a), mustFailTask(t, db, district, b), mustFailTask(t, db, district, c)

		knock := func(id int64) *anxin.DoorKnock {
			t.Helper()
			k, err := db.FindDoorKnock(ctx, anxin.SystemScope(), id)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		events := func(id int64) int {
			t.Helper()
			n, err := db.CountRows(ctx, "SELECT COUNT(*) FROM elder_events WHERE ref_type = 'door_knock' AND ref_id = $1", strconv.FormatInt(id, 10))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n, err := db.RunDoorKnocks(ctx, now); err != nil || n != 2 {
			t.Fatalf("first pass handed up %d %v, want 2 (no staff at the committee, nor at the street)", n, err)
		}
		if k := knock(ka); k.State != anxin.KnockOpen || k.EscalatedTo != "" {
			t.Fatalf("a staffed committee's door-knock moved: %+v", k)
		}
		if k := knock(kb); k.State != anxin.KnockEscalated || k.EscalatedTo != "310107005" || !k.DueAt.Equal(due) || k.EscalatedName == "" {
			t.Fatalf("no staff at the committee: %+v", k)
		}
		if k := knock(kc); k.State != anxin.KnockEscalated || k.EscalatedTo != "310107" {
			t.Fatalf("no staff at the committee nor the street: %+v", k)
		}
		if n, err := db.RunDoorKnocks(ctx, now); err != nil || n != 0 {
			t.Fatalf("the same pass again handed up %d %v", n, err)
		}
		if cnt, _ := db.CountDoorKnocks(ctx, streetStaff, now); cnt.Open != 2 || cnt.Mine != 1 {
			t.Fatalf("street's counts %+v, want 2 open, 1 handed to it", cnt)
		}

		// A day and an hour later nobody acknowledged: two nodes run the
		// pass at once.
		now = now.Add(25 * time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		moved := 0
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := db.RunDoorKnocks(ctx, now)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				moved += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if moved != 2 {
			t.Fatalf("two passes handed up %d, want 2 (the committee's to the street, the street's to the district)", moved)
		}
		if k := knock(ka); k.EscalatedTo != "310107005" || !k.DueAt.Equal(now.Add(store.DoorKnockEscalatedWithin)) || events(ka) != 1 {
			t.Fatalf("late at the committee: %+v, %d events", k, events(ka))
		}
		if k := knock(kb); k.EscalatedTo != "310107" || events(kb) != 2 {
			t.Fatalf("late at the street: %+v, %d events", k, events(kb))
		}
		if k := knock(kc); k.EscalatedTo != "310107" || events(kc) != 1 {
			t.Fatalf("at the district with nobody above: %+v", k)
		}
		if list, _, _ := db.FindDoorKnocks(ctx, district, anxin.KnockFilter{Overdue: true}); len(list) != 1 || list[0].ID != kc {
			t.Fatalf("the district's overdue list %+v", list)
		}

		// The street acknowledges; the committee, too late, cannot.
		if _, err := db.AcknowledgeDoorKnock(ctx, streetStaff, ka); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AcknowledgeDoorKnock(ctx, staff, ka); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("acknowledged twice: %v", err)
		}
		now = now.Add(24 * time.Hour)
		if n, err := db.RunDoorKnocks(ctx, now); err != nil || n != 0 {
			t.Fatalf("a pass with only acknowledged and top-level door-knocks handed up %d %v", n, err)
		}
		if k := knock(ka); k.State != anxin.KnockAcknowledged || k.EscalatedTo != "310107005" {
			t.Fatalf("an acknowledged door-knock moved: %+v", k)
		}
	})
}
