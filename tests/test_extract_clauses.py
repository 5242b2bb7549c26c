"""Clause-level extraction on short constructed texts, with exact triples and entities.

Covers the mechanisms of the further relations that reach past one pattern match: a sentence's
subject carried across its comma clauses ([[subject_rule]] of relations.toml), 我市/本市 as the
document's own place, rules that delimit a name themselves ({+Programme}), the 以…为目标 cue of
targets, and the bounds and classes of named entities (joined group qualifiers, editions,
state designations, funds, quoted names before 项目, abridged programme names unified).

Each cue is tried in simplified and traditional script: the traditional text must give the
same simplified canonical names. None of the texts is from the bundled corpus or the fixtures.
"""

from __future__ import annotations

from extracted import FURTHER, entities, triples

# 1. A sentence's subject carried across its comma clauses


def test_agency_subject_administers_the_programme_of_a_later_clause() -> None:
    """Subject rule, administers: 武汉市医疗保障局将落实…,做实做细X项目."""
    simplified = (
        "据悉,武汉市医疗保障局将落实国家医保局有关要求,做实做细罕见病综合保障服务试点项目,提升群众获得感。"
    )
    traditional = (
        "據悉,武漢市醫療保障局將落實國家醫保局有關要求,做實做細罕見病綜合保障服務試點項目,提升群眾獲得感。"
    )
    for text in (simplified, traditional):
        assert triples(text, "武汉市", FURTHER) == {
            ("武汉市医疗保障局", "administers", "罕见病综合保障服务试点项目")
        }


def test_agency_subject_reaches_through_enumerated_semicolon_clauses() -> None:
    """Subject rule, administers: …多措并举:一是实施X制度;二是推行Y (enumerators skipped)."""
    simplified = "苏州市医疗保障局多措并举:一是实施长期护理保险制度;二是推行门诊共济保障改革;三是加强宣传。"
    traditional = "蘇州市醫療保障局多措並舉:一是實施長期護理保險制度;二是推行門診共濟保障改革;三是加強宣傳。"
    for text in (simplified, traditional):
        assert triples(text, "苏州市", FURTHER) == {
            ("苏州市医疗保障局", "administers", "长期护理保险"),
            ("苏州市医疗保障局", "administers", "门诊共济保障改革"),
        }


def test_district_subject_sets_up_the_reform_it_first_launches() -> None:
    """Subject rule, establishedBy (inverse): 江汉区…,首创X改革."""
    simplified = "近年来,江汉区深化医疗服务供给侧改革,首创社区医疗资源集约共享改革。"
    traditional = "近年來,江漢區深化醫療服務供給側改革,首創社區醫療資源集約共享改革。"
    for text in (simplified, traditional):
        assert triples(text, "武汉市江汉区", FURTHER) == {
            ("社区医疗资源集约共享改革", "establishedBy", "江汉区")
        }


EDITION = "医保基金智能监管改革2.0版本"
SHARING = "社区医疗资源集约共享改革"


def test_city_subject_sets_up_the_edition_it_launches() -> None:
    """Subject rule, establishedBy (inverse): 成都市…,推出X改革2.0版本."""
    simplified = "成都市坚持问题导向,推出医保基金智能监管改革2.0版本。"
    traditional = "成都市堅持問題導向,推出醫保基金智能監管改革2.0版本。"
    for text in (simplified, traditional):
        assert triples(text, "成都市", FURTHER) == {(EDITION, "establishedBy", "成都市")}


def test_district_written_after_its_city_is_the_subject() -> None:
    """Subject rule, establishedBy: 成都市武侯区…,推出…; 武汉市江汉区…,首创… (the district acts)."""
    cases = [
        ("成都市武侯区坚持问题导向,推出医保基金智能监管改革2.0版本。", "成都市", EDITION, "武侯区"),
        ("成都市武侯區堅持問題導向,推出醫保基金智能監管改革2.0版本。", "成都市", EDITION, "武侯区"),
        (
            "近年来,武汉市江汉区深化医疗服务供给侧改革,首创社区医疗资源集约共享改革。",
            "武汉市",
            SHARING,
            "江汉区",
        ),
        (
            "近年來,武漢市江漢區深化醫療服務供給側改革,首創社區醫療資源集約共享改革。",
            "武汉市",
            SHARING,
            "江汉区",
        ),
    ]
    for text, place, programme, district in cases:
        assert triples(text, place, FURTHER) == {(programme, "establishedBy", district)}, text


def test_listed_hospitals_set_up_a_centre_and_work_with_charities() -> None:
    """[[rule]] 均设立了 and subject rule 持续对接: establishedBy for each hospital, and
    collaboratesWith stored from each hospital to each charity."""
    simplified = (
        "杭州市第一人民医院、杭州市中医院均设立了罕见病综合服务中心,"
        "持续对接浙江省儿童医疗救助基金会、杭州慈善助医基金等慈善资源。"
    )
    traditional = (
        "杭州市第一人民醫院、杭州市中醫院均設立了罕見病綜合服務中心,"
        "持續對接浙江省兒童醫療救助基金會、杭州慈善助醫基金等慈善資源。"
    )
    for text in (simplified, traditional):
        assert triples(text, "杭州市", FURTHER) == {
            ("罕见病综合服务中心", "establishedBy", "杭州市第一人民医院"),
            ("罕见病综合服务中心", "establishedBy", "杭州市中医院"),
            ("杭州市第一人民医院", "collaboratesWith", "浙江省儿童医疗救助基金会"),
            ("杭州市第一人民医院", "collaboratesWith", "杭州慈善助医基金"),
            ("杭州市中医院", "collaboratesWith", "浙江省儿童医疗救助基金会"),
            ("杭州市中医院", "collaboratesWith", "杭州慈善助医基金"),
        }


def test_a_clause_opening_with_another_actor_ends_the_subjects_reach() -> None:
    """Subject rule, negative: after …,市卫生健康委员会加强宣传, the bureau's reach has ended."""
    simplified = (
        "武汉市医疗保障局将落实有关要求,市卫生健康委员会加强宣传,做实做细罕见病综合保障服务试点项目。"
    )
    traditional = (
        "武漢市醫療保障局將落實有關要求,市衛生健康委員會加強宣傳,做實做細罕見病綜合保障服務試點項目。"
    )
    for text in (simplified, traditional):
        assert triples(text, "武汉市", FURTHER) == set()


def test_an_entity_followed_by_的_is_no_subject() -> None:
    """Subject rule, negative: 武汉市医疗保障局的工作人员… is not the bureau acting."""
    simplified = "据悉,武汉市医疗保障局的工作人员将落实要求,做实做细罕见病综合保障服务试点项目。"
    traditional = "據悉,武漢市醫療保障局的工作人員將落實要求,做實做細罕見病綜合保障服務試點項目。"
    for text in (simplified, traditional):
        assert triples(text, "武汉市", FURTHER) == set()


def test_an_object_followed_by_more_words_is_not_what_is_set_up() -> None:
    """Subject rule, negative: 本市建立基本医疗保险基金运行风险预警机制 sets up no fund, while
    本市设立社区门诊统筹基金 does (the city is named, so 本市 has a node)."""
    fund = {("社区门诊统筹基金", "establishedBy", "苏州市")}
    cases = [
        ("苏州市医保局印发通知。本市建立基本医疗保险基金运行风险预警机制。", set()),
        ("蘇州市醫保局印發通知。本市建立基本醫療保險基金運行風險預警機制。", set()),
        ("苏州市建立基本医疗保险基金运行风险预警机制。", set()),
        ("苏州市医保局印发通知。本市设立社区门诊统筹基金。", fund),
        ("蘇州市醫保局印發通知。本市設立社區門診統籌基金。", fund),
    ]
    for text, expected in cases:
        assert triples(text, "苏州市", FURTHER) == expected, text


# 2. 我市/本市 as the document's own place


def test_我市_is_the_documents_city() -> None:
    """我市还推进成立了X-Y药品采购联盟: the alliance is set up by the document's city."""
    simplified = "杭州市医保工作取得新进展。此外,我市还推进成立了杭州-嘉兴药品采购联盟。"
    traditional = "杭州市醫保工作取得新進展。此外,我市還推進成立了杭州-嘉興藥品採購聯盟。"
    for text in (simplified, traditional):
        assert triples(text, "杭州市", FURTHER) == {("杭州-嘉兴药品采购联盟", "establishedBy", "杭州市")}


def test_我市_in_a_province_document_names_no_city() -> None:
    """我市, negative: a document whose place is a province has no city for 我市 to name."""
    simplified = "湖北省医保工作取得新进展。此外,我市还推进成立了武汉-鄂州药品采购联盟。"
    traditional = "湖北省醫保工作取得新進展。此外,我市還推進成立了武漢-鄂州藥品採購聯盟。"
    for text in (simplified, traditional):
        assert triples(text, "湖北省", FURTHER) == set()


# 3. Rules that delimit a name themselves


def test_a_scheme_taken_as_a_model_case_by_a_national_agency() -> None:
    """{+Programme}被{Agency}作为示范案例: the scheme opening the clause is recognised."""
    simplified = "江汉区智慧医保建设被国家卫生健康委作为示范案例推广。"
    traditional = "江漢區智慧醫保建設被國家衛生健康委作為示範案例推廣。"
    for text in (simplified, traditional):
        assert triples(text, "武汉市江汉区", FURTHER) == {
            ("江汉区智慧医保建设", "recognizedBy", "国家卫生健康委员会")
        }


def test_each_listed_practice_promoted_by_an_agency_bulletin() -> None:
    """{+Programme+}等创新做法获{Agency}简报推广: each listed practice is recognised."""
    simplified = (
        "苏州市药品监管局持续深化改革,"
        "药品上市许可持有人全链条帮扶、医疗器械注册人驻点指导等创新做法获国家药监局简报推广。"
    )
    traditional = (
        "蘇州市藥品監管局持續深化改革,"
        "藥品上市許可持有人全鏈條幫扶、醫療器械註冊人駐點指導等創新做法獲國家藥監局簡報推廣。"
    )
    for text in (simplified, traditional):
        assert triples(text, "苏州市", FURTHER) == {
            ("药品上市许可持有人全链条帮扶", "recognizedBy", "国家药品监督管理局"),
            ("医疗器械注册人驻点指导", "recognizedBy", "国家药品监督管理局"),
        }


REFORM_OFFICE = "中共湖北省委全面深化改革委员会办公室"  # 湖北省委改革办


def test_a_case_selected_by_the_provincial_reform_office() -> None:
    """{Agency}遴选出的…典型案例中,“{+Programme}”亦成功入选: the quoted case title is
    recognised, and the reform named inside it is the same scheme."""
    simplified = (
        "近日,在湖北省委改革办遴选出的2024年度全省改革典型案例中,"
        "“武汉江汉推进社区医疗资源集约共享改革促进资源优化配置”亦成功入选。"
    )
    traditional = (
        "近日,在湖北省委改革辦遴選出的2024年度全省改革典型案例中,"
        "“武漢江漢推進社區醫療資源集約共享改革促進資源優化配置”亦成功入選。"
    )
    case = "武汉江汉推进社区医疗资源集约共享改革促进资源优化配置"
    for text in (simplified, traditional):
        assert triples(text, "武汉市", FURTHER) == {(case, "recognizedBy", REFORM_OFFICE)}
        assert {name for cls, name in entities(text, "武汉市") if cls == "Programme"} == {case}


def test_a_case_named_after_其中_in_the_next_sentence() -> None:
    """…遴选出…典型案例。其中,“{+Programme}”为…唯一入选案例: 其中 continues the sentence."""
    simplified = (
        "湖北省委改革办近日遴选出40个全省改革典型案例。"
        "其中,“江汉区推进社区医疗资源集约共享改革促进资源优化配置”为江汉区唯一入选案例。"
    )
    traditional = (
        "湖北省委改革辦近日遴選出40個全省改革典型案例。"
        "其中,“江漢區推進社區醫療資源集約共享改革促進資源優化配置”為江漢區唯一入選案例。"
    )
    case = "江汉区推进社区医疗资源集约共享改革促进资源优化配置"
    for text in (simplified, traditional):
        assert triples(text, "武汉市江汉区", FURTHER) == {(case, "recognizedBy", REFORM_OFFICE)}


def test_a_selected_case_whose_quoted_title_is_a_programme_name() -> None:
    """{Agency}遴选出的…典型案例中,“X”亦成功入选, X ending with a programme head (改革): the
    title is already an entity, and it is still the case selected."""
    cases = [
        (
            "近日,在湖北省委改革办遴选出的2024年度全省改革典型案例中,“江汉区社区医疗资源集约共享改革”亦成功入选。",
            "武汉市江汉区",
        ),
        (
            "近日,在湖北省委改革辦遴選出的2024年度全省改革典型案例中,“江漢區社區醫療資源集約共享改革”亦成功入選。",
            "武汉市江汉区",
        ),
        (
            "湖北省委改革办近日遴选出40个全省改革典型案例。其中,“江汉区社区医疗资源集约共享改革”为江汉区唯一入选案例。",
            "武汉市江汉区",
        ),
    ]
    for text, place in cases:
        assert triples(text, place, FURTHER) == {
            ("江汉区社区医疗资源集约共享改革", "recognizedBy", REFORM_OFFICE)
        }, text


# 4. targets, and quoted names before 项目


def test_a_programme_whose_core_aim_is_a_group() -> None:
    """{Programme}以破解{Group}…为核心目标: the programme targets the group; “X”项目 is X."""
    simplified = "江汉区“幸福托育小屋”项目以破解0~3岁婴幼儿照护难题为核心目标,覆盖全区街道。"
    traditional = "江漢區“幸福托育小屋”項目以破解0~3歲嬰幼兒照護難題為核心目標,覆蓋全區街道。"
    for text in (simplified, traditional):
        assert triples(text, "武汉市江汉区", FURTHER) == {("幸福托育小屋", "targets", "0~3岁婴幼儿")}


def test_a_quoted_name_before_项目_is_the_programme_when_long_enough() -> None:
    """Quoted name + 项目: “锦城护苗”项目 is 锦城护苗 (4+ characters), “两新”项目 keeps 项目."""
    simplified = "成都市全力推进“两新”项目和“锦城护苗”项目。"
    traditional = "成都市全力推進“兩新”項目和“錦城護苗”項目。"
    for text in (simplified, traditional):
        assert entities(text, "成都市") == {
            ("Region", "成都市"),
            ("Programme", "两新项目"),
            ("Programme", "锦城护苗"),
        }


# 5. Bounds and classes of named entities


def test_group_qualifiers_joined_before_one_group_word_name_one_group() -> None:
    """Coordinated qualifiers: 高血压、糖尿病患者 and 职工基本医疗保险一档和二档参保人 are one group
    each; qualifiers of another kind (儿童、) do not join."""
    insured = {
        ("Group", "职工基本医疗保险一档和二档参保人"),
        ("Programme", "普通门诊统筹"),
        ("Region", "苏州市"),
    }
    cases = [
        ("2024年,全市高血压、糖尿病患者被纳入门诊慢特病保障范围。", {("Group", "高血压、糖尿病患者")}),
        ("2024年,全市高血壓、糖尿病患者被納入門診慢特病保障範圍。", {("Group", "高血压、糖尿病患者")}),
        ("目前,尿毒症、血友病患者均已纳入门诊慢特病保障。", {("Group", "尿毒症、血友病患者")}),
        ("目前,尿毒症、血友病患者均已納入門診慢特病保障。", {("Group", "尿毒症、血友病患者")}),
        ("苏州市职工基本医疗保险一档和二档参保人可享受门诊统筹待遇。", insured),
        ("蘇州市職工基本醫療保險一檔和二檔參保人可享受門診統籌待遇。", insured),
        ("儿童、糖尿病患者可享受门诊待遇。", {("Group", "糖尿病患者")}),
        ("兒童、糖尿病患者可享受門診待遇。", {("Group", "糖尿病患者")}),
    ]
    for text, expected in cases:
        assert entities(text, "苏州市") == expected, text


def test_an_edition_or_phase_belongs_to_the_name() -> None:
    """Editions: …改革2.0版本 is a programme, …数据库二期 a facility, each with its edition."""
    cases = [
        ("武侯区推出医保基金智能监管改革2.0版本。", "成都市武侯区", ("Programme", EDITION)),
        ("武侯區推出醫保基金智能監管改革2.0版本。", "成都市武侯区", ("Programme", EDITION)),
        ("杭州市加快建设杭州生命科学数据库二期。", "杭州市", ("Facility", "杭州市生命科学数据库二期")),
        ("杭州市加快建設杭州生命科學數據庫二期。", "杭州市", ("Facility", "杭州市生命科学数据库二期")),
    ]
    for text, place, expected in cases:
        assert {e for e in entities(text, place) if e[0] != "Region"} == {expected}, text


def test_a_state_designation_is_a_programme_and_a_districts_zone_a_facility() -> None:
    """Designations: 国家生态文明建设示范区 is a title (Programme); 江汉生物医药创新示范区 an
    area of the district (Facility, named with the district in full)."""
    simplified = "推动江汉区创建国家生态文明建设示范区,加快建设江汉生物医药创新示范区。"
    traditional = "推動江漢區創建國家生態文明建設示範區,加快建設江漢生物醫藥創新示範區。"
    for text in (simplified, traditional):
        assert entities(text, "武汉市江汉区") == {
            ("Region", "江汉区"),
            ("Programme", "国家生态文明建设示范区"),
            ("Facility", "江汉区生物医药创新示范区"),
        }


def test_a_fund_is_never_generic() -> None:
    """Funds are specific: 社区门诊统筹基金 is a Fund, while 社区医院 is a kind of hospital."""
    simplified = "苏州市设立社区门诊统筹基金,新建社区医院。"
    traditional = "蘇州市設立社區門診統籌基金,新建社區醫院。"
    for text in (simplified, traditional):
        assert entities(text, "苏州市") == {("Region", "苏州市"), ("Fund", "社区门诊统筹基金")}


def test_an_abridged_programme_name_is_the_same_programme() -> None:
    """Abridged names: …集约共享改革 with words left out of …集约节约高效共享改革 is one entity
    with the longer name; an edition (…改革2.0版本) stays another."""
    simplified = (
        "江汉区全面推进社区医疗资源集约节约高效共享改革。通过社区医疗资源集约共享改革,"
        "全区基层服务能力明显提升。江汉区推出社区医疗资源集约共享改革2.0版本。"
    )
    traditional = (
        "江漢區全面推進社區醫療資源集約節約高效共享改革。通過社區醫療資源集約共享改革,"
        "全區基層服務能力明顯提升。江漢區推出社區醫療資源集約共享改革2.0版本。"
    )
    for text in (simplified, traditional):
        assert entities(text, "武汉市江汉区") == {
            ("Region", "江汉区"),
            ("Programme", "社区医疗资源集约节约高效共享改革"),
            ("Programme", "社区医疗资源集约共享改革2.0版本"),
        }


def test_programme_names_that_are_no_abridgement_stay_apart() -> None:
    """Abridged names, negative: a word not in the longer name (资源 vs 服务) keeps two schemes."""
    simplified = "江汉区推进社区医疗服务集约共享改革。同时深化社区医疗资源共享改革。"
    traditional = "江漢區推進社區醫療服務集約共享改革。同時深化社區醫療資源共享改革。"
    for text in (simplified, traditional):
        assert entities(text, "武汉市江汉区") == {
            ("Region", "江汉区"),
            ("Programme", "社区医疗服务集约共享改革"),
            ("Programme", "社区医疗资源共享改革"),
        }


# 6. Cases the review of these tests turned up


def test_striving_for_a_state_title_sets_nothing_up() -> None:
    """创建国家…示范区 is working to be awarded the title: no establishedBy."""
    for text in ("推动江汉区创建国家生态文明建设示范区。", "推動江漢區創建國家生態文明建設示範區。"):
        assert triples(text, "武汉市", FURTHER) == set()
        assert ("Programme", "国家生态文明建设示范区") in entities(text, "武汉市")


def test_a_group_is_named_without_the_place_before_it() -> None:
    """武汉市高血压、糖尿病患者: the group is 高血压、糖尿病患者 wherever its people live."""
    simplified = "武汉市高血压、糖尿病患者全部纳入门诊慢特病保障。"
    traditional = "武漢市高血壓、糖尿病患者全部納入門診慢特病保障。"
    for text in (simplified, traditional):
        assert {e for e in entities(text, "武汉市") if e[0] == "Group"} == {("Group", "高血压、糖尿病患者")}


def test_a_centre_named_for_diagnosis_and_treatment_is_found_whole() -> None:
    """诊疗 stays inside a name: 罕见病诊疗服务中心, set up by the hospital."""
    for text in ("武汉市儿童医院设立了罕见病诊疗服务中心。", "武漢市兒童醫院設立了罕見病診療服務中心。"):
        assert triples(text, "武汉市", FURTHER) == {("罕见病诊疗服务中心", "establishedBy", "武汉市儿童医院")}


def test_an_operating_verb_is_not_part_of_the_platforms_name() -> None:
    """运营X平台: the platform is X平台."""
    simplified = "武汉市医疗保障局负责运营武汉市医保服务平台。"
    traditional = "武漢市醫療保障局負責運營武漢市醫保服務平台。"
    for text in (simplified, traditional):
        assert ("Facility", "武汉市医保服务平台") in entities(text, "武汉市")
