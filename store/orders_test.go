package store_test

import (
	"bytes"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// orderWorld is a street with a hotline operator, a committee, two
// providers with one account each, and an elder.
type orderWorld struct {
	operator, committee, provider, other anxin.Scope
	providerOrg, otherOrg                *anxin.Org
	elder                                *anxin.Elder
}

func newOrderWorld(t *testing.T, db *store.DB) orderWorld {
	t.Helper()
	hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区为老服务热线", "310107")
	comm := mustCreateOrg(t, db, anxin.OrgCommittee, "源园居委会", "310107005001")
	p1 := mustCreateOrg(t, db, anxin.OrgProvider, "安康家政", "310107")
	p2 := mustCreateOrg(t, db, anxin.OrgProvider, "乐福维修", "310107")
	w := orderWorld{
		operator:    anxin.ScopeOf(mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator)),
		committee:   anxin.ScopeOf(mustCreateAccount(t, db, comm, "yy", anxin.RoleCommunity)),
		provider:    anxin.ScopeOf(mustCreateAccount(t, db, p1, "ankang", anxin.RolePartner)),
		other:       anxin.ScopeOf(mustCreateAccount(t, db, p2, "lefu", anxin.RolePartner)),
		providerOrg: p1, otherOrg: p2,
	}
	w.elder = mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", RegionCode: "310107005001"})
	return w
}

func newServiceOrder(elderID int64) *anxin.Order {
	return &anxin.Order{Type: anxin.TypeService, Channel: anxin.ChannelInbound, ElderID: elderID, Title: "打扫卫生", Description: "每周一次"}
}

func TestOrderLoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		o := newServiceOrder(w.elder.ID)
		if err := db.CreateOrder(ctx, w.operator, o); err != nil {
			t.Fatal(err)
		}
		if o.State != anxin.StateNew || o.Version != 1 || o.Urgency != anxin.UrgencyNormal || len(o.Number) != len("GD20261123-0001") {
			t.Fatalf("created %+v", o)
		}
		act := func(sc anxin.Scope, a anxin.OrderAction) *anxin.Order {
			t.Helper()
			a.Version = o.Version
			got, err := db.ActOnOrder(ctx, sc, o.ID, a)
			if err != nil {
				t.Fatalf("%s: %v", a.Action, err)
			}
			o = got
			return got
		}
		act(w.operator, anxin.OrderAction{Action: anxin.ActDispatch, OrgID: w.providerOrg.ID})
		if o.State != anxin.StateDispatched || o.AssigneeOrgID != w.providerOrg.ID || o.AssigneeName != "安康家政" {
			t.Fatalf("dispatched %+v", o)
		}
		// The other provider sees nothing of it.
		_, err := db.FindOrder(ctx, w.other, o.ID)
		wantCode(t, err, anxin.ENOTFOUND)
		_, err = db.ActOnOrder(ctx, w.other, o.ID, anxin.OrderAction{Action: anxin.ActAccept, Version: o.Version})
		wantCode(t, err, anxin.ENOTFOUND)
		if list, total, _ := db.FindOrders(ctx, w.other, anxin.OrderFilter{}); total != 0 || len(list) != 0 {
			t.Fatalf("other provider lists %d", total)
		}
		// 退单 needs a reason; then 改派 to the other provider and back.
		_, err = db.ActOnOrder(ctx, w.provider, o.ID, anxin.OrderAction{Action: anxin.ActReturn, Version: o.Version})
		wantCode(t, err, anxin.EINVALID)
		act(w.provider, anxin.OrderAction{Action: anxin.ActReturn, Note: "本周排不出人手"})
		act(w.operator, anxin.OrderAction{Action: anxin.ActDispatch, OrgID: w.otherOrg.ID})
		act(w.operator, anxin.OrderAction{Action: anxin.ActDispatch, OrgID: w.providerOrg.ID, Note: "改派"})
		// The provider may not steer the order, only work it.
		_, err = db.ActOnOrder(ctx, w.provider, o.ID, anxin.OrderAction{Action: anxin.ActCancel, Version: o.Version, Note: "x"})
		wantCode(t, err, anxin.EFORBIDDEN)
		act(w.provider, anxin.OrderAction{Action: anxin.ActAccept})
		act(w.provider, anxin.OrderAction{Action: anxin.ActSchedule, ScheduledAt: time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC)})
		act(w.provider, anxin.OrderAction{Action: anxin.ActStart})
		photo := pngBytes(t)
		act(w.provider, anxin.OrderAction{Action: anxin.ActComplete, Note: "已打扫完毕",
			Attachments: []anxin.OrderAttachment{{Filename: "after.png", Data: photo}}})
		if o.State != anxin.StateCompleted || o.ScheduledAt.IsZero() {
			t.Fatalf("completed %+v", o)
		}
		// A closed order cannot go back into service.
		act(w.operator, anxin.OrderAction{Action: anxin.ActClose, Note: "回访满意"})
		_, err = db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActStart, Version: o.Version})
		wantCode(t, err, anxin.ECONFLICT)
		if o.ClosedAt.IsZero() {
			t.Fatal("closed without closed_at")
		}

		events, err := db.OrderEvents(ctx, w.operator, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		want := "create,dispatch,return,dispatch,dispatch,accept,schedule,start,complete,close"
		if join(actions) != want {
			t.Fatalf("timeline %s, want %s", join(actions), want)
		}
		done := events[8]
		if done.ActorName != "ankang" || done.Note != "已打扫完毕" || len(done.Attachments) != 1 || done.Attachments[0].ContentType != "image/png" {
			t.Fatalf("completion event %+v", done)
		}
		got, err := db.OrderAttachment(ctx, w.operator, o.ID, done.Attachments[0].ID)
		if err != nil || !bytes.Equal(got.Data, photo) {
			t.Fatalf("attachment: %v", err)
		}
		_, err = db.OrderAttachment(ctx, w.other, o.ID, done.Attachments[0].ID)
		wantCode(t, err, anxin.ENOTFOUND)
		// The committee sees the order of its elder.
		if _, err := db.FindOrder(ctx, w.committee, o.ID); err != nil {
			t.Fatalf("committee: %v", err)
		}
	})
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOrderBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		t.Run("an idempotency key makes one order of a double submit", func(t *testing.T) {
			a, b := newServiceOrder(w.elder.ID), newServiceOrder(w.elder.ID)
			a.IdempotencyKey, b.IdempotencyKey = "form-123", "form-123"
			if err := db.CreateOrder(ctx, w.operator, a); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateOrder(ctx, w.operator, b); err != nil {
				t.Fatal(err)
			}
			if a.ID != b.ID || a.Number != b.Number {
				t.Fatalf("two orders: %d %d", a.ID, b.ID)
			}
			// Another account's same key is its own.
			c := newServiceOrder(w.elder.ID)
			c.IdempotencyKey = "form-123"
			if err := db.CreateOrder(ctx, w.committee, c); err != nil || c.ID == a.ID {
				t.Fatalf("committee's order %d vs %d: %v", c.ID, a.ID, err)
			}
		})
		t.Run("the second of two operators acting on one version gets a conflict", func(t *testing.T) {
			o := newServiceOrder(w.elder.ID)
			if err := db.CreateOrder(ctx, w.operator, o); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.providerOrg.ID}); err != nil {
				t.Fatal(err)
			}
			_, err := db.ActOnOrder(ctx, w.committee, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.otherOrg.ID})
			wantCode(t, err, anxin.ECONFLICT)
			_, err = db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActAccept})
			wantCode(t, err, anxin.EINVALID)
		})
		t.Run("refused input", func(t *testing.T) {
			bad := []*anxin.Order{
				{Type: "repair", Channel: anxin.ChannelWeb, ElderID: w.elder.ID, Title: "x"},
				{Type: anxin.TypeService, Channel: anxin.ChannelWeb, ElderID: w.elder.ID, Title: " "},
				{Type: anxin.TypeService, Channel: "fax", ElderID: w.elder.ID, Title: "x"},
				{Type: anxin.TypeSupply, Channel: anxin.ChannelWeb, ElderID: w.elder.ID},
				{Type: anxin.TypeSupply, Channel: anxin.ChannelWeb, ElderID: w.elder.ID, Lines: []anxin.OrderLine{{ItemID: 1, Quantity: -2}}},
				{Type: anxin.TypeSupply, Channel: anxin.ChannelWeb, ElderID: w.elder.ID, Lines: []anxin.OrderLine{{ItemID: 1, Quantity: 1 << 40}}},
				// Lines belong to supply orders only.
				{Type: anxin.TypeService, Channel: anxin.ChannelWeb, ElderID: w.elder.ID, Title: "x", Lines: []anxin.OrderLine{{ItemID: 1, Quantity: 1}}},
			}
			for _, o := range bad {
				wantCode(t, db.CreateOrder(ctx, w.operator, o), anxin.EINVALID)
			}
			wantCode(t, db.CreateOrder(ctx, w.provider, newServiceOrder(w.elder.ID)), anxin.EFORBIDDEN)
			// An elder outside the committee's area is not found.
			far := mustCreateElder(t, db, &anxin.Elder{Name: "李梅", RegionCode: "310105011001"})
			wantCode(t, db.CreateOrder(ctx, w.committee, newServiceOrder(far.ID)), anxin.ENOTFOUND)
		})
		t.Run("photos are checked by content", func(t *testing.T) {
			o := newServiceOrder(w.elder.ID)
			if err := db.CreateOrder(ctx, w.operator, o); err != nil {
				t.Fatal(err)
			}
			for _, data := range [][]byte{[]byte("%PDF-1.4 not a photo"), []byte("<html>"), {}} {
				_, err := db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActNote, Version: o.Version,
					Attachments: []anxin.OrderAttachment{{Filename: "photo.jpg", Data: data}}})
				wantCode(t, err, anxin.EINVALID)
			}
		})
	})
}

// TestSupplyDelivery delivers a supply order: a failed attempt needs a
// reason and keeps the order with the supplier; completion needs how it
// was delivered and records the cash.
func TestSupplyDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		items, _, err := db.FindItems(ctx, anxin.SystemScope(), anxin.ItemFilter{Family: anxin.FamilySupply, Offered: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			// The store tests run without the demo: make a supplier and a package.
			sup := mustCreateOrg(t, db, anxin.OrgSupplier, "家乐福", "3101")
			staff := anxin.ScopeOf(mustCreateAccount(t, db, sup, "carrefour", anxin.RolePartner))
			items = []*anxin.CatalogueItem{approvedProvider(t, db, staff, sup, "91310107MA1G00201", "sup-food", 5000)}
		}
		o := &anxin.Order{Type: anxin.TypeSupply, Channel: anxin.ChannelOutbound, ElderID: w.elder.ID,
			Lines: []anxin.OrderLine{{ItemID: items[0].ID, Quantity: 2}}}
		if err := db.CreateOrder(ctx, w.operator, o); err != nil {
			t.Fatal(err)
		}
		if o.TotalFen != 2*items[0].PriceFen || o.Title == "" {
			t.Fatalf("supply order %+v", o)
		}
		supplier := o.Lines[0].SupplierID
		step := func(a anxin.OrderAction) error {
			a.Version = o.Version
			got, err := db.ActOnOrder(ctx, w.operator, o.ID, a)
			if err == nil {
				o = got
			}
			return err
		}
		for _, a := range []anxin.OrderAction{{Action: anxin.ActDispatch, OrgID: supplier}, {Action: anxin.ActAccept}} {
			if err := step(a); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, step(anxin.OrderAction{Action: anxin.ActDeliveryFailed}), anxin.EINVALID)
		if err := step(anxin.OrderAction{Action: anxin.ActDeliveryFailed, Note: "无人在家"}); err != nil || o.State != anxin.StateAccepted || o.DeliveryOutcome != anxin.DeliveryFailed {
			t.Fatalf("failed attempt: %s %s %v", o.State, o.DeliveryOutcome, err)
		}
		if err := step(anxin.OrderAction{Action: anxin.ActStart}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, step(anxin.OrderAction{Action: anxin.ActComplete}), anxin.EINVALID)
		wantCode(t, step(anxin.OrderAction{Action: anxin.ActComplete, Outcome: anxin.DeliveredGate, CashFen: -100}), anxin.EINVALID)
		if err := step(anxin.OrderAction{Action: anxin.ActComplete, Outcome: anxin.DeliveredVolunteer, CashFen: o.TotalFen}); err != nil {
			t.Fatal(err)
		}
		if o.State != anxin.StateCompleted || o.DeliveryOutcome != anxin.DeliveredVolunteer || o.CashFen != o.TotalFen {
			t.Fatalf("delivered: %+v", o)
		}
		// A service order has no deliveries.
		s := newServiceOrder(w.elder.ID)
		if err := db.CreateOrder(ctx, w.operator, s); err != nil {
			t.Fatal(err)
		}
		_, err = db.ActOnOrder(ctx, w.operator, s.ID, anxin.OrderAction{Action: anxin.ActDeliveryFailed, Version: 1, Note: "x"})
		wantCode(t, err, anxin.ECONFLICT)
	})
}
