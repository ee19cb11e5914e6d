package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// completedOrder takes an order through the loop to completion.
func completedOrder(t *testing.T, db *store.DB, w orderWorld, title string) *anxin.Order {
	t.Helper()
	o := newServiceOrder(w.elder.ID)
	o.Title = title
	if err := db.CreateOrder(ctx, w.operator, o); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		sc anxin.Scope
		a  anxin.OrderAction
	}{
		{w.operator, anxin.OrderAction{Action: anxin.ActDispatch, OrgID: w.providerOrg.ID}},
		{w.provider, anxin.OrderAction{Action: anxin.ActAccept}},
		{w.provider, anxin.OrderAction{Action: anxin.ActStart}},
		{w.provider, anxin.OrderAction{Action: anxin.ActComplete}},
	}
	for _, s := range steps {
		s.a.Version = o.Version
		var err error
		if o, err = db.ActOnOrder(ctx, s.sc, o.ID, s.a); err != nil {
			t.Fatalf("%s: %v", s.a.Action, err)
		}
	}
	return o
}

func TestReturnVisits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00") // a Monday
		db.Now = func() time.Time { return now }
		w := newOrderWorld(t, db)
		profile := &anxin.ProviderProfile{OrgID: w.providerOrg.ID, Company: "安康家政有限公司", LicenceNo: validLicence(t, "91310107MA1G00077"),
			Categories: []string{"soc-nursing"}, AreaCode: "310107", ContactName: "张经理", ContactPhone: "13800001111"}
		if err := db.ApplyProvider(ctx, w.provider, profile); err != nil {
			t.Fatal(err)
		}
		if err := db.ReviewProvider(ctx, anxin.SystemScope(), w.providerOrg.ID, 1, anxin.ReviewApprove, ""); err != nil {
			t.Fatal(err)
		}
		happy := completedOrder(t, db, w, "打扫卫生")
		v, err := db.FindReturnVisit(ctx, w.operator, happy.ID)
		if err != nil || v.State != anxin.VisitDue || !v.DueAt.Equal(cst("2026-11-26 17:30")) {
			t.Fatalf("visit %+v %v (due within 3 working days)", v, err)
		}
		// Nobody answers: the visit stays due, and the elder is not
		// called again today, for this order or another.
		v, err = db.RecordReturnVisit(ctx, w.operator, happy.ID, anxin.VisitResult{Reached: false})
		if err != nil || v.State != anxin.VisitDue || v.Calls != 1 {
			t.Fatalf("unanswered: %+v %v", v, err)
		}
		unhappy := completedOrder(t, db, w, "维修水管")
		_, err = db.RecordReturnVisit(ctx, w.operator, unhappy.ID, anxin.VisitResult{Reached: true, Score: 1})
		wantCode(t, err, anxin.ECONFLICT)
		// The next day: 5 points close the order and rate the provider.
		now = cst("2026-11-24 09:30")
		v, err = db.RecordReturnVisit(ctx, w.operator, happy.ID, anxin.VisitResult{Reached: true, Score: 5, Comment: "很满意", FamilyAnswered: true})
		if err != nil || v.State != anxin.VisitDone || v.Score != 5 || !v.FamilyAnswered || v.ComplaintOrderID != 0 {
			t.Fatalf("visit: %+v %v", v, err)
		}
		if o, _ := db.FindOrder(ctx, w.operator, happy.ID); o.State != anxin.StateClosed {
			t.Fatalf("order after the visit: %s", o.State)
		}
		_, err = db.RecordReturnVisit(ctx, w.operator, happy.ID, anxin.VisitResult{Reached: true, Score: 4})
		wantCode(t, err, anxin.ECONFLICT)
		// The day after, a score of 1 opens a complaint linked to the order.
		now = cst("2026-11-25 09:30")
		_, err = db.RecordReturnVisit(ctx, w.operator, unhappy.ID, anxin.VisitResult{Reached: true, Score: 0})
		wantCode(t, err, anxin.EINVALID)
		v, err = db.RecordReturnVisit(ctx, w.operator, unhappy.ID, anxin.VisitResult{Reached: true, Score: 1, Comment: "师傅迟到两小时"})
		if err != nil || v.ComplaintOrderID == 0 {
			t.Fatalf("low score: %+v %v", v, err)
		}
		c, err := db.FindOrder(ctx, w.operator, v.ComplaintOrderID)
		if err != nil || c.Type != anxin.TypeComplaint || c.ParentID != unhappy.ID || c.ReplyDueAt.IsZero() {
			t.Fatalf("complaint %+v %v", c, err)
		}
		p, err := db.FindProvider(ctx, anxin.SystemScope(), w.providerOrg.ID)
		if err != nil || p.RatingCount != 2 || p.RatingSum != 6 {
			t.Fatalf("provider rating %d/%d, want 6/2: %v", p.RatingSum, p.RatingCount, err)
		}
		// Providers do not make return visits.
		_, err = db.RecordReturnVisit(ctx, w.provider, unhappy.ID, anxin.VisitResult{Reached: true, Score: 5})
		wantCode(t, err, anxin.EFORBIDDEN)
	})
}

// A consultation answered by the hotline gets no return visit: completing
// it closes it — late or not, it leaves the overdue list.
func TestConsultationClosesOnCompletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-03-02 09:00")
		db.Now = func() time.Time { return now }
		w := newOrderWorld(t, db)
		o := &anxin.Order{Type: anxin.TypeConsultation, Channel: anxin.ChannelInbound, ElderID: w.elder.ID, Title: "高龄津贴怎么申请"}
		if err := db.CreateOrder(ctx, w.operator, o); err != nil {
			t.Fatal(err)
		}
		o, _ = db.FindOrder(ctx, w.operator, o.ID) // with its clocks, set after the insert
		if o.ReplyDueAt.IsZero() || !o.CompleteDueAt.IsZero() {
			t.Fatalf("consultation clocks: reply %v complete %v", o.ReplyDueAt, o.CompleteDueAt)
		}
		for _, a := range []string{anxin.ActHandle, anxin.ActComplete} {
			if a == anxin.ActComplete {
				// Answered a week late: overdue first.
				now = cst("2026-03-09 09:00")
				if _, err := db.RunSLA(ctx, now); err != nil {
					t.Fatal(err)
				}
				if _, total, _ := db.FindOrders(ctx, w.operator, anxin.OrderFilter{Overdue: true}); total != 1 {
					t.Fatalf("late consultation not on the overdue list (%d)", total)
				}
				o, _ = db.FindOrder(ctx, w.operator, o.ID)
			}
			var err error
			if o, err = db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: a, Version: o.Version, Note: "已答复"}); err != nil {
				t.Fatal(err)
			}
		}
		if o.State != anxin.StateClosed || !o.NextDueAt.IsZero() || !o.LateSince.IsZero() || !o.Overdue {
			t.Fatalf("after completion: %s, next due %v, late since %v, overdue %v", o.State, o.NextDueAt, o.LateSince, o.Overdue)
		}
		if _, total, _ := db.FindOrders(ctx, w.operator, anxin.OrderFilter{Overdue: true}); total != 0 {
			t.Fatalf("closed consultation still on the overdue list (%d)", total)
		}
		_, err := db.FindReturnVisit(ctx, w.operator, o.ID)
		wantCode(t, err, anxin.ENOTFOUND)
	})
}

// TestReturnVisitCapIsPerDay: the cap counts the day's calls only — a call
// recorded with a later time (a clock set back) does not block today's.
func TestReturnVisitCapIsPerDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-25 10:00")
		db.Now = func() time.Time { return now }
		w := newOrderWorld(t, db)
		a, b := completedOrder(t, db, w, "打扫卫生"), completedOrder(t, db, w, "维修水管")
		if _, err := db.RecordReturnVisit(ctx, w.operator, a.ID, anxin.VisitResult{Reached: false}); err != nil {
			t.Fatal(err)
		}
		now = cst("2026-11-24 10:00")
		if v, err := db.RecordReturnVisit(ctx, w.operator, b.ID, anxin.VisitResult{Reached: false}); err != nil || v.Calls != 1 {
			t.Fatalf("a call the day before a recorded one: %+v %v", v, err)
		}
		_, err := db.RecordReturnVisit(ctx, w.operator, a.ID, anxin.VisitResult{Reached: false})
		wantCode(t, err, anxin.ECONFLICT) // the same day: capped
	})
}
