"""Extraction on short constructed texts of the genre, one cue at a time, with exact triples.

None of these texts is from the bundled corpus: places, bodies and titles are chosen to show
that the rules work from the naming system and the cue words, not from remembered names.
"""

from __future__ import annotations

from extracted import FURTHER, entities, processed, triples

TASKS = """广州市人民政府关于加快发展托育服务的实施意见

根据《国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见》(国办发〔2019〕15号),结合我市实际,制定本意见。

一、加强托育机构建设

(一)扩大普惠托育服务供给。(市卫生健康委牵头,市发展改革委、市财政局配合)

(二)完善托育服务监管。(责任单位:市市场监管局、市教育局)

广州市人民政府

2024年3月1日
"""

POLICY = "广州市人民政府关于加快发展托育服务的实施意见"
BASIS = "国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见"


def test_lead_and_assisting_units_of_a_task() -> None:
    got = triples(TASKS, relations={"leadUnit", "responsibleUnit", "coOrganizer"})
    assert got == {
        ("扩大普惠托育服务供给", "leadUnit", "广州市卫生健康委员会"),
        ("扩大普惠托育服务供给", "responsibleUnit", "广州市卫生健康委员会"),
        ("扩大普惠托育服务供给", "responsibleUnit", "广州市发展和改革委员会"),
        ("扩大普惠托育服务供给", "responsibleUnit", "广州市财政局"),
        ("扩大普惠托育服务供给", "coOrganizer", "广州市发展和改革委员会"),
        ("扩大普惠托育服务供给", "coOrganizer", "广州市财政局"),
        ("完善托育服务监管", "responsibleUnit", "广州市市场监督管理局"),
        ("完善托育服务监管", "responsibleUnit", "广州市教育局"),
    }


def test_measures_issuer_and_legal_basis() -> None:
    got = triples(TASKS, relations={"partOf", "issuedBy", "basedOn"})
    assert got == {
        ("扩大普惠托育服务供给", "partOf", POLICY),
        ("完善托育服务监管", "partOf", POLICY),
        (POLICY, "issuedBy", "广州市人民政府"),
        (POLICY, "basedOn", BASIS),
        (BASIS, "issuedBy", "国务院办公厅"),
    }


def test_document_number_of_a_cited_basis() -> None:
    doc = processed(TASKS)
    numbers = {e.canonical: e.attrs.get("docNumber") for e in doc.entities.values() if e.cls == "Policy"}
    assert numbers[BASIS] == "国办发〔2019〕15号"
    # the cited basis's number is not the document's own
    assert numbers[POLICY] is None


def test_own_document_number_on_its_line() -> None:
    text = TASKS.replace("\n\n根据", "\n\n穗府〔2024〕3号\n\n根据", 1)
    doc = processed(text)
    numbers = {e.canonical: e.attrs.get("docNumber") for e in doc.entities.values() if e.cls == "Policy"}
    assert numbers == {POLICY: "穗府〔2024〕3号", BASIS: "国办发〔2019〕15号"}


def test_first_listed_unit_leads_when_the_document_says_so() -> None:
    text = (
        "成都市人民政府办公厅关于印发成都市医疗服务提升行动方案的通知\n\n"
        "各区(市)县政府:\n\n排在第一的责任单位为牵头单位。\n\n"
        "一、重点任务\n\n(一)提升基层服务能力。(责任单位:市卫生健康委、市医保局、市财政局)\n"
    )
    got = triples(text, relations={"leadUnit", "responsibleUnit"})
    assert got == {
        ("提升基层服务能力", "leadUnit", "成都市卫生健康委员会"),
        ("提升基层服务能力", "responsibleUnit", "成都市卫生健康委员会"),
        ("提升基层服务能力", "responsibleUnit", "成都市医疗保障局"),
        ("提升基层服务能力", "responsibleUnit", "成都市财政局"),
    }


REPLY = """关于区人大十届三次会议第12号建议的答复

王代表:

您提出的《关于加强社区养老服务的建议》收悉。本建议由市民政局南山分局主办,区卫生健康局会办。现答复如下:
"""


def test_host_and_co_host_of_a_reply_and_a_district_branch() -> None:
    got = triples(REPLY, place="深圳市南山区")
    reply = "关于区人大十届三次会议第12号建议的答复"
    assert got == {
        (reply, "leadUnit", "深圳市民政局南山分局"),
        (reply, "coOrganizer", "深圳市南山区卫生健康局"),
        ("深圳市民政局南山分局", "subOrganizationOf", "深圳市民政局"),
    }


def test_traditional_script_resolves_to_simplified_names() -> None:
    doc = processed("杭州醫保局與市衛生健康委召開會議。", "杭州市")
    agencies = {e.canonical: sorted(e.names) for e in doc.entities.values() if e.cls == "Agency"}
    assert agencies == {
        "杭州市医疗保障局": ["杭州医保局", "杭州醫保局"],
        "杭州市卫生健康委员会": ["市卫生健康委", "市衛生健康委"],
    }


def test_commissioned_by() -> None:
    got = triples("深圳市计划生育协会受中国计划生育协会委托,开展培训。", "深圳市", FURTHER)
    assert got == {("深圳市计划生育协会", "commissionedBy", "中国计划生育协会")}


def test_established_by_each_listed_body_in_traditional_script() -> None:
    got = triples("深圳市兒童醫院、港大深圳醫院均設立了罕見病綜合服務中心。", "深圳市", FURTHER)
    assert got == {
        ("罕见病综合服务中心", "establishedBy", "深圳市儿童医院"),
        ("罕见病综合服务中心", "establishedBy", "香港大学深圳医院"),
    }


def test_collaboration_between_hospitals_named_by_level() -> None:
    got = triples("市人民醫院已與市中醫院開展醫療協同。", "佛山市", FURTHER)
    assert got == {("佛山市人民医院", "collaboratesWith", "佛山市中医院")}


def test_target_group_of_a_scheme() -> None:
    got = triples("建档立卡贫困户“先看病后付费”全面落实。", "兰州市", FURTHER)
    assert got == {("先看病后付费", "targets", "建档立卡贫困户")}


def test_a_policy_named_for_a_group_targets_it_in_either_script() -> None:
    simplified = "武汉市人民政府关于加强老年人健康服务的实施意见\n\n一、总体要求\n"
    traditional = "武漢市人民政府關於加強老年人健康服務的實施意見\n\n一、總體要求\n"
    policy = "武汉市人民政府关于加强老年人健康服务的实施意见"
    for text in (simplified, traditional):
        assert triples(text, "武汉市", {"targets"}) == {(policy, "targets", "老年人")}


def test_ambiguous_sentences_yield_no_further_relation() -> None:
    text = "市人民医院和市中医院都很重要。市医保局、市卫生健康委召开会议,研究长期护理保险和医疗救助。"
    assert triples(text, "佛山市", FURTHER) == set()


def test_laws_to_be_drafted_are_policies_and_特区_is_the_zone() -> None:
    text = (
        "厦门市人民政府关于推进养老服务体系建设的实施意见\n\n"
        "(一)完善法规。推动制定出台特区养老服务条例、公共文明行为促进条例,修订完善特区物业管理条例,"
        "制定相关配套办法。\n"
    )
    doc = processed(text, "厦门市")
    policies = {e.canonical: sorted(e.names) for e in doc.entities.values() if e.cls == "Policy"}
    assert policies == {  # canonical name: the other names seen
        "厦门市人民政府关于推进养老服务体系建设的实施意见": ["关于推进养老服务体系建设的实施意见"],
        "厦门经济特区养老服务条例": ["特区养老服务条例"],
        "公共文明行为促进条例": [],
        "厦门经济特区物业管理条例": ["特区物业管理条例"],
    }


def _named(text: str, place: str, cls: str) -> set[str]:
    return {name for c, name in entities(text, place) if c == cls}


def test_campus_and_joint_place_names_of_organisations() -> None:
    text = "支持哈尔滨工业大学(深圳)、南方医科大学•珠海建设,推动成立广州-佛山医学检验联盟。"
    assert _named(text, "深圳市", "Organization") == {
        "哈尔滨工业大学(深圳)",
        "南方医科大学•珠海",
        "广州-佛山医学检验联盟",
    }


def test_a_head_word_inside_a_longer_word_names_nothing() -> None:
    assert _named("推进医院集团化改革,深化药品集团化采购。", "成都市", "Organization") == set()


def test_a_level_character_before_a_facility_is_the_documents_place() -> None:
    text = "杭州市依法将公共信用信息归集至市公共信用信息服务平台,完善市场监管信息平台。"
    got = triples(text, "杭州市", {"locatedIn"})
    assert got == {("杭州市公共信用信息服务平台", "locatedIn", "杭州市")}


def test_commissioning_body_named_first() -> None:
    got = triples("南京市衛生健康委委託市醫學會開展醫療事故技術鑒定。", "南京市", FURTHER)
    assert got == {("南京市医学会", "commissionedBy", "南京市卫生健康委员会")}


def test_established_by_bodies_after_由() -> None:
    got = triples("杭州市罕见病关爱基金由市医学会、市红十字会共同设立。", "杭州市", FURTHER)
    assert got == {
        ("杭州市罕见病关爱基金", "establishedBy", "杭州市医学会"),
        ("杭州市罕见病关爱基金", "establishedBy", "杭州市红十字会"),
    }


def test_collaboration_agreement_in_traditional_script() -> None:
    got = triples("市人民醫院與浙江大學簽署戰略合作協議。", "杭州市", FURTHER)
    assert got == {("杭州市人民医院", "collaboratesWith", "浙江大学")}


def test_a_temporary_body_heading_a_cited_notice_issues_it() -> None:
    text = "按照《南山区防汛抗旱指挥部办公室关于印发南山区防汛工作方案的通知》要求,做好准备。"
    got = triples(text, "深圳市", {"issuedBy", "jurisdiction"})
    assert got == {
        ("南山区防汛工作方案", "issuedBy", "南山区防汛抗旱指挥部办公室"),
        ("南山区防汛抗旱指挥部办公室", "jurisdiction", "南山区"),
    }


def agencies(text: str, place: str) -> set[str]:
    return {name for cls, name in entities(text, place) if cls == "Agency"}


def test_a_place_and_field_as_subject_name_the_bureau_in_either_script() -> None:
    simplified = "2023年,扬州医保推行长期护理保险制度,扬州医保目录内药品增加。"
    traditional = "2023年,揚州醫保推行長期護理保險制度,揚州醫保目錄內藥品增加。"
    for text in (simplified, traditional):
        assert agencies(text, "扬州市") == {"扬州市医疗保障局"}
        assert triples(text, "扬州市", FURTHER) == {("扬州市医疗保障局", "administers", "长期护理保险")}


def test_a_place_and_field_that_is_no_subject_names_no_bureau() -> None:
    assert agencies("扬州医保目录内药品增加,扬州医保参保人达到400万。", "扬州市") == set()


def test_bare_collectives_only_as_items_of_a_list_of_units() -> None:
    listed = "厦门市人民政府关于推进养老服务的实施意见\n\n(一)完善设施。(责任单位:市民政局,各区政府,各街道)\n"
    in_a_sentence = "各区和各街道要结合实际,各县区至少培育1家托育机构。"
    assert "厦门市各街道" in agencies(listed, "厦门市")
    assert agencies(in_a_sentence, "厦门市") == set()


def test_numbered_beneficiaries_of_a_scheme_in_either_script() -> None:
    simplified = (
        "第十条 本省健全医疗救助制度。医疗救助对象包括：\n\n（一）特困人员；\n\n"
        "（二）最低生活保障家庭成员；\n\n（三）县级以上人民政府规定的其他人员。\n\n第十一条 其他。\n"
    )
    traditional = (
        "第十條 本省健全醫療救助制度。醫療救助對象包括：\n\n（一）特困人員；\n\n"
        "（二）最低生活保障家庭成員；\n\n（三）縣級以上人民政府規定的其他人員。\n\n第十一條 其他。\n"
    )
    for text in (simplified, traditional):
        assert triples(text, "江西省", FURTHER) == {
            ("医疗救助", "targets", "特困人员"),
            ("医疗救助", "targets", "最低生活保障家庭成员"),
        }


def test_a_numbered_list_without_a_lead_in_scheme_relates_nothing() -> None:
    text = "第十条 本省实行分类救助。救助对象包括：\n\n（一）特困人员；\n\n（二）最低生活保障家庭成员。\n"
    assert triples(text, "江西省", FURTHER) == set()


def test_a_quoted_item_listed_after_a_scheme_is_a_scheme_in_either_script() -> None:
    simplified = "定西市建档立卡贫困户“先诊疗后付费”、“一站式”结报等政策全面落实。"
    traditional = "定西市建檔立卡貧困戶“先診療後付費”、“一站式”結報等政策全面落實。"
    for text in (simplified, traditional):
        assert triples(text, "定西市", FURTHER) == {
            ("先诊疗后付费", "targets", "建档立卡贫困户"),
            ("一站式结报", "targets", "建档立卡贫困户"),
        }


def test_the_first_of_several_issuing_bodies_issues_a_cited_policy_in_either_script() -> None:
    simplified = (
        "为贯彻落实省卫生健康委等九部门《关于印发江西省推进紧密型县域医共体建设实施方案的通知》"
        "(赣卫基层字〔2024〕5号)精神,制定本方案。"
    )
    traditional = (
        "為貫徹落實省衛生健康委等九部門《關於印發江西省推進緊密型縣域醫共體建設實施方案的通知》"
        "(贛衛基層字〔2024〕5號)精神,制定本方案。"
    )
    # the notice carries the plan: the plan is the policy cited, issued by the first body
    cited = "江西省推进紧密型县域医共体建设实施方案"
    for text in (simplified, traditional):
        assert triples(text, "赣州市", {"issuedBy"}) == {(cited, "issuedBy", "江西省卫生健康委员会")}


def test_a_citys_general_office_issues_its_notice_in_either_script() -> None:
    simplified = (
        "南京市人民政府办公厅关于印发南京市城市医疗集团建设实施方案的通知\n\n各区人民政府:\n"
        "现将《南京市城市医疗集团建设实施方案》印发给你们。\n\n南京市人民政府办公厅\n2024年5月6日\n"
    )
    traditional = (
        "南京市人民政府辦公廳關於印發南京市城市醫療集團建設實施方案的通知\n\n各區人民政府:\n"
        "現將《南京市城市醫療集團建設實施方案》印發給你們。\n\n南京市人民政府辦公廳\n2024年5月6日\n"
    )
    plan, office = "南京市城市医疗集团建设实施方案", "南京市人民政府办公厅"
    for text in (simplified, traditional):
        assert triples(text, None, {"issuedBy"}) == {(plan, "issuedBy", office)}


def test_a_unit_responsible_alone_in_brackets_in_either_script() -> None:
    simplified = (
        "江西省深化医药卫生体制改革2024年重点工作任务\n\n一、重点任务\n\n"
        "(一)推进县域医共体建设。完善管理机制。(省卫生健康委负责)\n\n(二)完善救助。(省民政厅、省医保局负责)\n"
    )
    traditional = (
        "江西省深化醫藥衛生體制改革2024年重點工作任務\n\n一、重點任務\n\n"
        "(一)推進縣域醫共體建設。完善管理機制。(省衛生健康委負責)\n\n(二)完善救助。(省民政廳、省醫保局負責)\n"
    )
    for text in (simplified, traditional):
        assert triples(text, "江西省", {"leadUnit", "responsibleUnit"}) == {
            ("推进县域医共体建设", "responsibleUnit", "江西省卫生健康委员会"),
            ("完善救助", "responsibleUnit", "江西省民政厅"),
            ("完善救助", "responsibleUnit", "江西省医疗保障局"),
        }


def test_a_hospital_named_after_a_university_names_no_university() -> None:
    for text in ("北京大学第一医院江西医院开诊。", "北京大學第一醫院江西醫院開診。"):
        assert {cls for cls, _name in entities(text, "南昌市")} & {"Organization"} == set()


def test_the_signing_body_hosts_a_reply_it_calls_我委_in_either_script() -> None:
    simplified = (
        "对市十五届人大三次会议第0187号建议的答复\n\n张明代表:\n"
        "您提出的《关于加强社区医养结合服务的建议》收悉。该建议由我委主办,市民政局会办。现答复如下:\n\n"
        "武汉市卫生健康委员会\n2024年6月20日\n"
    )
    traditional = (
        "對市十五屆人大三次會議第0187號建議的答覆\n\n張明代表:\n"
        "您提出的《關於加強社區醫養結合服務的建議》收悉。該建議由我委主辦,市民政局會辦。現答覆如下:\n\n"
        "武漢市衛生健康委員會\n2024年6月20日\n"
    )
    for text in (simplified, traditional):
        reply = "对市十五届人大三次会议第0187号建议的答复"
        assert triples(text, None, {"leadUnit", "coOrganizer"}) == {
            (reply, "leadUnit", "武汉市卫生健康委员会"),
            (reply, "coOrganizer", "武汉市民政局"),
        }
        assert "我委" not in {n for e in processed(text).entities.values() for n in e.names}
