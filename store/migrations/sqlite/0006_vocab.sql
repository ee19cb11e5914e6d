-- Lists administrators edit (issue 3): the tags an elder can carry and the
-- dialects an elder may prefer on the phone. aliases holds other spellings
-- seen in rosters, comma-separated, that resolve to value; position orders a
-- list; a deactivated value is no longer offered but stays on the elders who
-- carry it.
CREATE TABLE vocab (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('tag', 'dialect')),
	value      TEXT NOT NULL,
	aliases    TEXT NOT NULL DEFAULT '',
	position   INTEGER NOT NULL,
	active     BOOLEAN NOT NULL DEFAULT TRUE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (kind, value)
);
CREATE INDEX vocab_kind_position ON vocab(kind, position);

INSERT INTO vocab (kind, value, aliases, position, active, created_at, updated_at) VALUES
	('tag', '高龄', '80岁以上,八十岁以上,80周岁以上,80+,高龄老人', 1, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '失能', '完全失能,失能老人', 2, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '半失能', '部分失能,轻度失能', 3, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '行动不便', '行动困难,腿脚不便', 4, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '残疾', '残疾人,持证残疾人,残障', 5, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '低保', '低保户,最低生活保障', 6, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '低收入', '低收入户,低收入家庭', 7, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '失独', '失独老人,失独家庭', 8, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '空巢', '空巢老人', 9, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '孤寡', '孤寡老人,孤老,五保户', 10, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '重点关注', '重点,重点对象', 11, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('tag', '认知障碍', '失智,老年痴呆,阿尔茨海默病', 12, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '普通话', '国语,Mandarin', 1, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '上海话', '上海方言,沪语,上海闲话,Shanghainese', 2, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '无锡话', '无锡方言,无锡闲话', 3, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '苏州话', '苏州方言,苏州闲话', 4, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '宁波话', '宁波方言,甬语', 5, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '杭州话', '杭州方言', 6, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '粤语', '广东话,广州话,Cantonese', 7, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '闽南话', '闽南语,Hokkien', 8, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
	('dialect', '四川话', '四川方言,川话', 9, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- Values the registry already holds that are neither a value nor an alias of
-- the defaults join their list, so that nothing on an elder is off the list.
INSERT INTO vocab (kind, value, aliases, position, active, created_at, updated_at)
SELECT 'dialect', d, '', (SELECT MAX(position) FROM vocab WHERE kind = 'dialect') + ROW_NUMBER() OVER (ORDER BY d), TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM (SELECT DISTINCT dialect AS d FROM elders WHERE dialect <> '')
WHERE NOT EXISTS (SELECT 1 FROM vocab v WHERE v.kind = 'dialect'
	AND (v.value = d OR instr(',' || v.aliases || ',', ',' || d || ',') > 0));

INSERT INTO vocab (kind, value, aliases, position, active, created_at, updated_at)
WITH RECURSIVE split(tag, rest) AS (
	SELECT '', substr(tags, 2) FROM elders WHERE tags <> ''
	UNION ALL
	SELECT substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest <> ''
)
SELECT 'tag', t, '', (SELECT MAX(position) FROM vocab WHERE kind = 'tag') + ROW_NUMBER() OVER (ORDER BY t), TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM (SELECT DISTINCT tag AS t FROM split WHERE tag <> '')
WHERE NOT EXISTS (SELECT 1 FROM vocab v WHERE v.kind = 'tag'
	AND (v.value = t OR instr(',' || v.aliases || ',', ',' || t || ',') > 0));
