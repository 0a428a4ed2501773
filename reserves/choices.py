"""Fixed vocabularies from the seeds (DOMAIN.md), stored by short English keys."""

SEX_CHOICES = [("M", "男"), ("F", "女")]

# Descending order of level; rank is used for "X or above" rules.
EDUCATION_CHOICES = [
    ("postgraduate", "研究生"),
    ("bachelor", "大学本科"),
    ("college", "大学专科"),
    ("high_school", "高中（中专）"),
    ("junior", "初中及以下"),
]
EDUCATION_RANK = {"postgraduate": 5, "bachelor": 4, "college": 3, "high_school": 2, "junior": 1}

POLITICAL_CHOICES = [
    ("member", "中共党员"),
    ("probationary", "中共预备党员"),
    ("league", "共青团员"),
    ("democratic", "民主党派成员"),
    ("nonparty", "无党派人士"),
    ("masses", "群众"),
]
PARTY_STATUSES = {"member", "probationary"}

# 身份 (source groups): QS villages, QS communities, then 3YR additions; "其他" takes free text.
SOURCE_VILLAGE = [
    ("college_village_official", "大学生村官"),
    ("group_leader", "村民小组长"),
    ("agri_business_head", "新型农业经营主体负责人"),
    ("returned_entrepreneur", "回乡创业优秀党员"),
    ("migrant_talent", "外出务工经商能人"),
    ("veteran", "复员退伍军人"),
    ("returned_graduate", "返乡高校毕业生"),
    ("rural_teacher_doctor", "乡村教师医生"),
]
SOURCE_COMMUNITY = [
    ("grid_worker", "网格员"),
    ("resident_group_leader", "居民小组长"),
    ("resident_rep", "居民代表"),
    ("mass_org_head", "群团和社会组织负责人"),
    ("social_worker", "社工"),
    ("building_head", "楼院门栋长"),
]
SOURCE_3YR = [
    ("committee_member", "现任村（社区）“两委”干部"),
    ("wealth_leader", "致富能手"),
    ("coop_head", "专业合作社经济组织负责人"),
]
SOURCE_OTHER = "other"
SOURCE_CHOICES = SOURCE_VILLAGE + SOURCE_COMMUNITY + SOURCE_3YR + [(SOURCE_OTHER, "其他")]
SOURCE_GROUPED = [
    ("村", SOURCE_VILLAGE),
    ("社区", SOURCE_COMMUNITY),
    ("其他来源", SOURCE_3YR + [(SOURCE_OTHER, "其他")]),
]

RESERVE_TYPE_CHOICES = [
    ("village_reserve", "村级后备干部"),
    ("secretary_reserve", "村党组织书记后备力量"),
    ("committee_reserve", "村“两委”干部后备力量"),
]

STATUS_ACTIVE, STATUS_USED, STATUS_REMOVED, STATUS_EXITED = "active", "used", "removed", "exited"
STATUS_CHOICES = [
    (STATUS_ACTIVE, "在库"),
    (STATUS_USED, "已使用"),
    (STATUS_REMOVED, "已取消"),
    (STATUS_EXITED, "已退出"),
]

ENTRY_SELECTION, ENTRY_IMPORT, ENTRY_MANUAL = "selection", "import", "manual"
ENTRY_CHOICES = [
    (ENTRY_SELECTION, "选拔程序产生"),
    (ENTRY_IMPORT, "批量导入"),
    (ENTRY_MANUAL, "手工录入"),
]

PLACEMENT_REASONS = [("entry", "入库"), ("transfer", "调动"), ("merge", "村（社区）合并")]

MENTOR_KIND_CHOICES = [
    ("township_leader", "乡镇领导班子成员"),
    ("village_head", "村（社区）“两委”主要负责人"),
    ("first_secretary", "驻村第一书记"),
    ("village_cadre", "村干部"),
]

AGE_BANDS = [("le35", "35岁及以下"), ("36_45", "36至45岁"), ("gt45", "45岁以上")]

# Training forms (QS §二(二)1). Owned here because the county policy names which forms count
# (CountyPolicy.training_counting_forms); training/models.py uses the same list for its events.
TRAINING_FORM_CHOICES = [
    ("concentrated", "集中培训"),
    ("party_school", "县委党校"),
    ("night_school", "农民夜校"),
    ("degree_skills", "学历技能学习"),
    ("outside_county", "县外培训"),
    ("meeting", "以会代训"),
    ("online", "在线学习"),
]
TRAINING_FORM_LABELS = dict(TRAINING_FORM_CHOICES)
