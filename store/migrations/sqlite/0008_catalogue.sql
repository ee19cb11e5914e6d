-- Service catalogue and providers (issue 4). Categories come in three
-- families: government-guaranteed services (free or subsidised, with the
-- department that owns them), social services and products, and supply
-- packages. An item is offered by one provider (services) or supplier
-- (supply packages) in a region subtree; price_fen is the approved price in
-- fen that operators see, NULL until the first price is approved. Every
-- proposed price is kept in catalogue_prices with its decision. Providers
-- and suppliers are organisations; their onboarding application, review
-- status and rating live in provider_profiles, their licence documents in
-- provider_documents.
CREATE TABLE catalogue_categories (
	id         INTEGER PRIMARY KEY,
	family     TEXT NOT NULL CHECK (family IN ('government', 'social', 'supply')),
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	owner_dept TEXT NOT NULL DEFAULT '',
	position   INTEGER NOT NULL,
	active     BOOLEAN NOT NULL DEFAULT TRUE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX catalogue_categories_family ON catalogue_categories(family, position);

CREATE TABLE provider_profiles (
	org_id        INTEGER PRIMARY KEY REFERENCES orgs(id),
	company       TEXT NOT NULL,
	licence_no    TEXT NOT NULL,
	categories    TEXT NOT NULL DEFAULT '',
	area_code     TEXT NOT NULL REFERENCES regions(code),
	contact_name  TEXT NOT NULL DEFAULT '',
	contact_phone TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected', 'suspended')),
	reason        TEXT NOT NULL DEFAULT '',
	rating_sum    INTEGER NOT NULL DEFAULT 0,
	rating_count  INTEGER NOT NULL DEFAULT 0,
	version       INTEGER NOT NULL DEFAULT 1,
	applied_by    INTEGER REFERENCES accounts(id),
	applied_at    TIMESTAMP NOT NULL,
	decided_by    INTEGER REFERENCES accounts(id),
	decided_at    TIMESTAMP,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX provider_profiles_status ON provider_profiles(status);
CREATE INDEX provider_profiles_licence ON provider_profiles(licence_no);

CREATE TABLE provider_documents (
	id           INTEGER PRIMARY KEY,
	org_id       INTEGER NOT NULL REFERENCES orgs(id),
	kind         TEXT NOT NULL CHECK (kind IN ('licence', 'permit', 'other')),
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	data         BLOB NOT NULL,
	uploaded_by  INTEGER REFERENCES accounts(id),
	uploaded_at  TIMESTAMP NOT NULL,
	UNIQUE (org_id, sha256)
);

CREATE TABLE catalogue_items (
	id              INTEGER PRIMARY KEY,
	category_id     INTEGER NOT NULL REFERENCES catalogue_categories(id),
	provider_org_id INTEGER NOT NULL REFERENCES orgs(id),
	name            TEXT NOT NULL,
	unit            TEXT NOT NULL,
	price_fen       INTEGER CHECK (price_fen IS NULL OR price_fen >= 0),
	area_code       TEXT NOT NULL REFERENCES regions(code),
	contents        TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'retired')),
	reason          TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER REFERENCES accounts(id),
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX catalogue_items_category ON catalogue_items(category_id, state);
CREATE INDEX catalogue_items_provider ON catalogue_items(provider_org_id, state);
CREATE INDEX catalogue_items_area ON catalogue_items(area_code);
-- One live item of a name per provider, category and area: a form sent twice
-- cannot create it twice.
CREATE UNIQUE INDEX catalogue_items_live ON catalogue_items(provider_org_id, category_id, area_code, name)
	WHERE state IN ('pending', 'approved');

CREATE TABLE catalogue_prices (
	id          INTEGER PRIMARY KEY,
	item_id     INTEGER NOT NULL REFERENCES catalogue_items(id),
	price_fen   INTEGER NOT NULL CHECK (price_fen >= 0),
	status      TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected')),
	proposed_by INTEGER REFERENCES accounts(id),
	proposed_at TIMESTAMP NOT NULL,
	decided_by  INTEGER REFERENCES accounts(id),
	decided_at  TIMESTAMP,
	reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalogue_prices_item ON catalogue_prices(item_id, id);
-- At most one price change waits for approval per item.
CREATE UNIQUE INDEX catalogue_prices_open ON catalogue_prices(item_id) WHERE status = 'proposed';

INSERT INTO catalogue_categories (family, code, name, name_en, owner_dept, position, active, created_at, updated_at) VALUES
	('government', 'gov-home-care', '居家养老上门服务', 'Subsidised home care', '民政', 1, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-meals', '老年助餐', 'Meals for older people', '民政', 2, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-renovation', '适老化改造', 'Home adaptation', '民政', 3, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-allowance', '养老补贴与津贴申领', 'Allowances and subsidies', '民政', 4, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-family-doctor', '家庭医生签约', 'Family doctor', '卫健', 5, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-home-bed', '家庭病床', 'Family hospital bed', '卫健', 6, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-health-check', '老年人健康体检', 'Health check', '卫健', 7, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-ltc', '长期护理保险', 'Long-term care insurance', '医保', 8, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('government', 'gov-sscard', '社保卡服务', 'Social security card', '人社', 9, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-daily', '生活照料', 'Daily-life care', '', 1, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-escort', '陪诊陪护', 'Hospital escort', '', 2, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-repair', '居家维修', 'Home repairs', '', 3, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-nursing', '居家护理', 'Home nursing', '', 4, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-transport', '出行接送', 'Transport', '', 5, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-aids', '康复辅具', 'Assistive devices', '', 6, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('social', 'soc-housekeeping', '家政服务', 'Housekeeping and live-in care', '', 7, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('supply', 'sup-food', '生活物资套餐', 'Food packages', '', 1, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('supply', 'sup-household', '日用品套餐', 'Household supplies', '', 2, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
