"""Word lists for made-up demo data. Every name is invented; none is a real place below the county."""

# Common surnames of Hunan and Fujian, roughly by frequency.
SURNAMES = "唐蒋李王张陈刘杨周黄胡邓谢罗何蒋赵吴孙朱郭林曾彭肖潘田邹秦廖段雷龙蒋贺欧阳伍钟石易尹曹"
SURNAME_LIST = [s for s in SURNAMES if s not in "欧阳"] + ["欧阳", "司马", "诸葛"]
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌辉力军林波宇浩凯婷雪琳"
    "晨欣怡子涵雨轩思博宏德福寿春秋冬海山水云松柏桃李菊莲荣昌盛发财兴旺立新卫东向阳永胜金银翠凤"
)
TOWNSHIP_STEMS = [
    "江村",
    "五里牌",
    "茶林",
    "何家洞",
    "麻江",
    "上梧江",
    "理家坪",
    "打鼓坪",
    "平福头",
    "塘底",
    "泷泊",
    "阳明",
    "白果",
    "双峰",
    "紫金",
    "桐子坳",
    "云台",
    "清溪",
    "樟木",
    "石门",
    "青山",
    "桃源",
    "枫林",
]
VILLAGE_STEMS_A = "桐木茶园龙田杉溪柏枫竹桥塘坪岭湾冲坳洞口石门水井梅花桃李松柳荷新联群丰胜利和平永安长乐"
VILLAGE_SUFFIX = ["村", "村", "村", "村", "社区"]
GROUP_NAMES = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组"]

COUNTY_UNITS = [
    "县委办公室",
    "县经管局",
    "县民政局",
    "县人民政府办公室",
    "县委组织部",
    "县委宣传部",
    "县委统战部",
    "县委政法委",
    "县纪委监委",
    "县发展和改革局",
    "县教育局",
    "县科技和工业信息化局",
    "县公安局",
    "县司法局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源局",
    "县生态环境分局",
    "县住房和城乡建设局",
    "县交通运输局",
    "县水利局",
    "县农业农村局",
    "县商务局",
    "县文化旅游广电体育局",
    "县卫生健康局",
    "县退役军人事务局",
    "县应急管理局",
    "县审计局",
    "县市场监督管理局",
    "县统计局",
    "县医疗保障局",
    "县林业局",
    "县信访局",
    "县乡村振兴局",
    "县城市管理和综合执法局",
    "县行政审批服务局",
    "县总工会",
    "团县委",
    "县妇联",
    "县供销社",
    "县融媒体中心",
    "县档案馆",
    "县机关事务服务中心",
    "县农机事务中心",
    "县人民法院",
    "县人民检察院",
]
SECTIONS = ["办公室", "综合股", "业务股", "财务股", "法规股"]
POSTS_BY_RANK = {
    "principal": ["局长", "主任", "部长", "书记"],
    "member": ["副局长", "副主任", "副部长", "纪检组长"],
    "section_head": ["股长", "办公室主任", "副股长"],
    "staff": ["科员", "办事员", "专干", "工作人员"],
}
STREET_WORDS = ["组", "屋场", "院子"]

# The heads of a unit, by how its name ends (a township government has 乡长, a bureau 局长).
HEADS = [
    ("乡人民政府", "乡长", "副乡长"),
    ("镇人民政府", "镇长", "副镇长"),
    ("街道办事处", "主任", "副主任"),
    ("人民政府", "乡长", "副乡长"),
    ("人民法院", "院长", "副院长"),
    ("人民检察院", "检察长", "副检察长"),
    ("分局", "局长", "副局长"),
    ("局", "局长", "副局长"),
    ("部", "部长", "副部长"),
    ("团县委", "书记", "副书记"),
    ("总工会", "主席", "副主席"),
    ("妇联", "主席", "副主席"),
]


def post_for(unit_name: str, unit_kind: str, rank: str, pick: int) -> str:
    """A post that fits the unit: a township government's leaders are 党委书记, 乡长 and 副乡长,
    a bureau's 局长 and 副局长, a section's 股长; `pick` chooses among the rank's posts."""
    if unit_kind == "section":
        posts = {"principal": ["股长"], "member": ["副股长"], "section_head": ["股长", "副股长"]}
    else:
        head, deputy = next(((h, d) for end, h, d in HEADS if unit_name.endswith(end)), ("主任", "副主任"))
        if unit_kind == "township":
            posts = {
                "principal": ["党委书记", head, "人大主席", head],
                "member": [deputy, "党委副书记", "纪委书记", "组织委员"],
                "section_head": ["党政办主任", "财政所所长", "综治中心主任"],
            }
        else:
            posts = {
                "principal": [head, "党组书记", head, head],
                "member": [deputy, deputy, "党组成员", "纪检组长"],
                "section_head": ["股长", "办公室主任", "副股长"],
            }
    chosen = posts.get(rank) or POSTS_BY_RANK[rank]
    return chosen[pick % len(chosen)]
