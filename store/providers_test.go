package store_test

import (
	"bytes"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// An application is reviewed: rejected with a reason, applied for again,
// approved, suspended and reactivated; decisions on a stale version or
// out of order are conflicts.
func TestProviderReviewFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		c := mustCreateOrg(t, db, anxin.OrgProvider, "锡心护理站", "3101")
		staff := scopeOf(mustCreateAccount(t, db, c, "staffc", anxin.RolePartner))
		p, err := db.FindProvider(ctx, staff, c.ID)
		if err != nil || p.Status != "" || p.Version != 0 {
			t.Fatalf("before applying: %+v, %v", p, err)
		}
		// Reviewing before an application is a conflict.
		wantCode(t, db.ReviewProvider(ctx, w.city, c.ID, 0, anxin.ReviewApprove, ""), anxin.ECONFLICT)
		p = w.apply(t, staff, c, "310107", "soc-nursing")
		p, _ = db.FindProvider(ctx, w.city, c.ID)
		if p.Status != anxin.ProviderApplied || p.Version != 1 || p.AppliedAt.IsZero() || p.Categories[0] != "soc-nursing" || p.AreaName == "" {
			t.Fatalf("applied: %+v", p)
		}
		// Only administrators over the provider's region review it.
		wantCode(t, db.ReviewProvider(ctx, staff, c.ID, 1, anxin.ReviewApprove, ""), anxin.EFORBIDDEN)
		wantCode(t, db.ReviewProvider(ctx, w.backoffice, c.ID, 1, anxin.ReviewApprove, ""), anxin.EFORBIDDEN)
		wantCode(t, db.ReviewProvider(ctx, w.putuo, c.ID, 1, anxin.ReviewApprove, ""), anxin.ENOTFOUND) // a city provider is outside Putuo
		wantCode(t, db.ReviewProvider(ctx, w.city, c.ID, 1, anxin.ReviewReject, ""), anxin.EINVALID)
		wantCode(t, db.ReviewProvider(ctx, w.city, c.ID, 1, "maybe", ""), anxin.EINVALID)
		wantCode(t, db.ReviewProvider(ctx, w.city, c.ID, 1, anxin.ReviewSuspend, "x"), anxin.ECONFLICT)
		if err := db.ReviewProvider(ctx, w.city, c.ID, 1, anxin.ReviewReject, "营业执照照片不清晰"); err != nil {
			t.Fatal(err)
		}
		p, _ = db.FindProvider(ctx, staff, c.ID)
		if p.Status != anxin.ProviderRejected || p.Reason != "营业执照照片不清晰" || p.DecidedByName == "" {
			t.Fatalf("rejected: %+v", p)
		}
		// The provider applies again; the reason is cleared.
		p.Categories = append(p.Categories, "soc-escort")
		if err := db.ApplyProvider(ctx, staff, p); err != nil {
			t.Fatal(err)
		}
		p, _ = db.FindProvider(ctx, staff, c.ID)
		if p.Status != anxin.ProviderApplied || p.Reason != "" || len(p.Categories) != 2 || p.Version != 3 {
			t.Fatalf("applied again: %+v", p)
		}
		// Two administrators approve at once: the second is told.
		if err := db.ReviewProvider(ctx, w.city, c.ID, p.Version, anxin.ReviewApprove, ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ReviewProvider(ctx, w.platform, c.ID, p.Version, anxin.ReviewApprove, ""), anxin.ECONFLICT)
		p, _ = db.FindProvider(ctx, staff, c.ID)
		if !p.Active() {
			t.Fatalf("approved: %+v", p)
		}
		// Approved: the provider cannot change its application any more.
		p.Company = "改名"
		wantCode(t, db.ApplyProvider(ctx, staff, p), anxin.EFORBIDDEN)
		p.Version = 0
		if err := db.ApplyProvider(ctx, w.city, p); err != nil {
			t.Fatal(err)
		}
		if p, _ = db.FindProvider(ctx, staff, c.ID); p.Status != anxin.ProviderApproved || p.Company != "改名" {
			t.Fatalf("admin's edit: %+v", p)
		}
		if err := db.ReviewProvider(ctx, w.city, c.ID, p.Version, anxin.ReviewSuspend, "服务投诉"); err != nil {
			t.Fatal(err)
		}
		p, _ = db.FindProvider(ctx, staff, c.ID)
		if p.Status != anxin.ProviderSuspended || p.Active() {
			t.Fatalf("suspended: %+v", p)
		}
		if err := db.ReviewProvider(ctx, w.city, c.ID, p.Version, anxin.ReviewReactivate, ""); err != nil {
			t.Fatal(err)
		}

		// Lists.
		list, total, err := db.FindProviders(ctx, w.city, anxin.ProviderFilter{Status: anxin.ProviderApproved, Kind: anxin.OrgProvider})
		if err != nil || total != 3 || len(list) != 3 {
			t.Fatalf("approved providers: %d, %v", total, err)
		}
		list, _, _ = db.FindProviders(ctx, w.city, anxin.ProviderFilter{Category: "soc-escort"})
		if len(list) != 2 {
			t.Errorf("escort providers: %d", len(list))
		}
		list, _, _ = db.FindProviders(ctx, staff, anxin.ProviderFilter{})
		if len(list) != 1 || list[0].OrgID != c.ID {
			t.Errorf("a provider lists %d providers", len(list))
		}
		_, err = db.FindProvider(ctx, w.staffA, c.ID)
		wantCode(t, err, anxin.ENOTFOUND)
	})
}

func TestProviderApplyRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		c := mustCreateOrg(t, db, anxin.OrgProvider, "新服务商", "3101")
		staff := scopeOf(mustCreateAccount(t, db, c, "staffc", anxin.RolePartner))
		good := anxin.ProviderProfile{OrgID: c.ID, Company: "新服务商有限公司", LicenceNo: validLicence(t, "91310107MA1G00001"),
			Categories: []string{"soc-daily"}, AreaCode: "3101"}
		cases := []struct {
			name string
			sc   anxin.Scope
			edit func(p *anxin.ProviderProfile)
			code string
		}{
			{"licence with a wrong check character", staff, func(p *anxin.ProviderProfile) { p.LicenceNo = p.LicenceNo[:17] + "0" }, anxin.EINVALID},
			{"licence too short", staff, func(p *anxin.ProviderProfile) { p.LicenceNo = "12345" }, anxin.EINVALID},
			{"licence of another provider", staff, func(p *anxin.ProviderProfile) {
				other, _ := db.FindProvider(ctx, w.platform, w.provA.ID)
				p.LicenceNo = other.LicenceNo
			}, anxin.ECONFLICT},
			{"no company", staff, func(p *anxin.ProviderProfile) { p.Company = "" }, anxin.EINVALID},
			{"no categories", staff, func(p *anxin.ProviderProfile) { p.Categories = nil }, anxin.EINVALID},
			{"unknown category", staff, func(p *anxin.ProviderProfile) { p.Categories = []string{"soc-nope"} }, anxin.EINVALID},
			{"supply category for a provider", staff, func(p *anxin.ProviderProfile) { p.Categories = []string{"sup-food"} }, anxin.EINVALID},
			{"no area", staff, func(p *anxin.ProviderProfile) { p.AreaCode = "" }, anxin.EINVALID},
			{"phone with letters", staff, func(p *anxin.ProviderProfile) { p.ContactPhone = "call me" }, anxin.EINVALID},
			{"another provider's staff", w.staffA, nil, anxin.ENOTFOUND},
			{"an operator", w.operator, nil, anxin.EFORBIDDEN},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := good
				if tc.edit != nil {
					tc.edit(&p)
				}
				wantCode(t, db.ApplyProvider(ctx, tc.sc, &p), tc.code)
			})
		}
		// Lower case and spaces in the licence are fine; back office may
		// file the application on the provider's behalf; twice is fine.
		p := good
		p.LicenceNo = " " + string(bytes.ToLower([]byte(good.LicenceNo))) + " "
		if err := db.ApplyProvider(ctx, w.backoffice, &p); err != nil {
			t.Fatal(err)
		}
		if p.LicenceNo != good.LicenceNo {
			t.Errorf("licence stored as %q", p.LicenceNo)
		}
		if err := db.ApplyProvider(ctx, staff, &p); err != nil {
			t.Fatal(err)
		}
		// Other organisations do not apply.
		hotline, _, _ := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Kind: anxin.OrgHotline, Limit: 1})
		bad := good
		bad.OrgID = hotline[0].ID
		wantCode(t, db.ApplyProvider(ctx, w.platform, &bad), anxin.EINVALID)
	})
}

var (
	docPDF  = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	docJPEG = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0}, 100)...)
	docPNG  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 40)...)
)

// Licence documents: PDF, JPEG or PNG by content, stored once, visible
// only to the provider's staff and administrators.
func TestProviderDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		add := func(sc anxin.Scope, org *anxin.Org, name string, data []byte) (*anxin.ProviderDocument, error) {
			d := &anxin.ProviderDocument{OrgID: org.ID, Kind: anxin.DocLicence, Filename: name, Data: data}
			return d, db.AddProviderDocument(ctx, sc, d)
		}
		d, err := add(w.staffA, w.provA, "营业执照.pdf", docPDF)
		if err != nil || d.ContentType != "application/pdf" || d.Size != int64(len(docPDF)) || d.SHA256 == "" || d.UploadedByName == "" {
			t.Fatalf("pdf: %+v, %v", d, err)
		}
		again, err := add(w.staffA, w.provA, "copy.pdf", docPDF)
		if err != nil || again.ID != d.ID {
			t.Fatalf("same file again: %+v, %v", again, err)
		}
		if img, err := add(w.staffA, w.provA, "licence.pdf", docJPEG); err != nil || img.ContentType != "image/jpeg" {
			t.Fatalf("a JPEG named .pdf is a JPEG: %+v, %v", img, err)
		}
		if img, err := add(w.platform, w.provA, "scan.png", docPNG); err != nil || img.ContentType != "image/png" {
			t.Fatalf("png: %+v, %v", img, err)
		}
		for name, data := range map[string][]byte{
			"not really.pdf": []byte("<html><script>alert(1)</script></html>"),
			"fake.jpg":       []byte("GIF89a......"),
			"empty.pdf":      {},
			"huge.pdf":       append([]byte("%PDF-"), make([]byte, anxin.MaxDocumentBytes)...),
		} {
			_, err := add(w.staffA, w.provA, name, data)
			wantCode(t, err, anxin.EINVALID)
		}
		// Who sees them.
		for name, sc := range map[string]anxin.Scope{"own staff": w.staffA, "platform admin": w.platform, "city admin": w.city} {
			docs, err := db.FindProviderDocuments(ctx, sc, w.provA.ID)
			if err != nil || len(docs) != 3 || docs[0].Data != nil {
				t.Errorf("%s: %d documents, %v", name, len(docs), err)
			}
			got, err := db.FindProviderDocument(ctx, sc, w.provA.ID, d.ID)
			if err != nil || !bytes.Equal(got.Data, docPDF) {
				t.Errorf("%s: document: %v", name, err)
			}
		}
		for name, sc := range map[string]anxin.Scope{"another provider": w.staffB, "back office": w.backoffice, "operator": w.operator, "district admin": w.putuo} {
			t.Run(name+" does not see them", func(t *testing.T) {
				_, err := db.FindProviderDocuments(ctx, sc, w.provA.ID)
				wantCode(t, err, anxin.ENOTFOUND)
				_, err = db.FindProviderDocument(ctx, sc, w.provA.ID, d.ID)
				wantCode(t, err, anxin.ENOTFOUND)
				_, err = add(sc, w.provA, "x.pdf", docPDF)
				wantCode(t, err, anxin.ENOTFOUND)
				wantCode(t, db.DeleteProviderDocument(ctx, sc, w.provA.ID, d.ID), anxin.ENOTFOUND)
			})
		}
		// A document of A under B's number is not found.
		_, err = db.FindProviderDocument(ctx, w.staffB, w.provB.ID, d.ID)
		wantCode(t, err, anxin.ENOTFOUND)
		// An approved provider's staff cannot delete; an administrator can.
		wantCode(t, db.DeleteProviderDocument(ctx, w.staffA, w.provA.ID, d.ID), anxin.EFORBIDDEN)
		if err := db.DeleteProviderDocument(ctx, w.city, w.provA.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		docs, _ := db.FindProviderDocuments(ctx, w.staffA, w.provA.ID)
		if len(docs) != 2 {
			t.Fatalf("%d documents after delete", len(docs))
		}
	})
}
