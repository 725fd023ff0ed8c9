"""Build the synthetic review (text + extracted CSVs) from the compact spec below.

Run: ``python tests/synthetic_review/build.py``. Offsets are computed, never typed. The spec
plants one or more defects of every audit check; ``expected_issues.csv`` lists them (check,
severity, evidence value_ids) for tests/test_audit_synthetic.py. Every other figure is clean.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

UNIT = {"n": "patients", "count": "patients", "percent": "percent", "rate": "percent",
        "median": "months", "mean": "months", "sd": "months"}


class V:
    """A printed number."""

    def __init__(self, vid, value, quantity, **kw):
        self.vid, self.value, self.kw = vid, value, dict(kw, quantity=quantity)


class M:
    """An author mention ``Name [r]``."""

    def __init__(self, mid, author, refs):
        self.mid, self.author, self.refs = mid, author, refs


class C:
    """A clause (the quote of every number in it); ``ctx`` gives defaults for its values."""

    def __init__(self, *parts, cid=None, **ctx):
        self.parts, self.cid, self.ctx = parts, cid, ctx


def para(section, location, *clauses, sep=" "):
    return ("para", section, location, clauses, sep)


def row(section, location, *cells):
    return ("row", section, location, cells, "\t")


def raw(text):
    return ("raw", text)


# ------------------------------------------------------------------ helpers for the spec
def n(vid, x, **kw): return V(vid, x, "n", **kw)
def k(vid, x, **kw): return V(vid, x, "count", **kw)
def pc(vid, x, **kw): return V(vid, x, "percent", **kw)
def rate(vid, x, tp, **kw): return V(vid, x, "rate", timepoint=tp, **kw)
def med(vid, x, ep, **kw): return V(vid, x, "median", endpoint=ep, **kw)
def hr(vid, x, **kw): return V(vid, x, "hr", **kw)
def odds(vid, x, **kw): return V(vid, x, "or", **kw)
def p(vid, x, **kw): return V(vid, x, "p_value", **kw)


def frac(prefix, count, den, pct, **kw):
    """``count/den (pct%)`` as three linked values."""
    return [k(f"{prefix}_k", count, denominator_id=f"{prefix}_n", **kw), "/",
            n(f"{prefix}_n", den, **kw), " (", pc(f"{prefix}_pct", pct, count_id=f"{prefix}_k",
                                                  denominator_id=f"{prefix}_n", **kw), "%)"]


E, Cc = "experimental", "control"
A1 = dict(study_id="adams2019", refs="1")
B2 = dict(study_id="baker2020", refs="2")
C3 = dict(study_id="chen2018", refs="3")
D4 = dict(study_id="dunn2021", refs="4")
E5 = dict(study_id="evans2017", refs="5")
F6 = dict(study_id="fox2022", refs="6")
G7 = dict(study_id="wang2015", refs="7")
H8 = dict(study_id="hill2014", refs="8")
I9 = dict(study_id="muller2016", refs="9")

S21, S22 = "2.1", "2.2"
T1, T2 = "table 1", "table 2"

SPEC = [
    raw("# A synthetic review of local therapy combined with systemic therapy"),
    raw("## 1. Background"),
    para("1", "text 1",
         C("Local therapy is often added to systemic therapy [1] [2] [10]."),
         C("Reported local control ranged from ", pc("s1_lc_lo", "60", endpoint="local_control", bound="low"), "%~",
           pc("s1_lc_hi", "90", endpoint="local_control", bound="high"), "% [10].", cid="cl_s1_lc", refs="10"),
         C("At diagnosis, stage I-II made up ", pc("s1_st12", "17", endpoint="share", subgroup="stage_i_ii", partition_id="s1_stage"),
           "%, stage III ", pc("s1_st3", "22", endpoint="share", subgroup="stage_iii", partition_id="s1_stage"),
           "% and stage IV ", pc("s1_st4", "57", endpoint="share", subgroup="stage_iv", partition_id="s1_stage"), "% [10].",
           refs="10")),
    raw("## 2. Results"),
    raw("### 2.1. Retrospective studies"),
    raw("**Table 1.** Retrospective studies of local therapy"),
    raw("Author\tN\tOutcomes\tFailure pattern"),
    row(S21, T1,
        [C(M("m_t1_adams", "John Adams", "1"), "\t", n("t1_adams_n", "80"), cid="st_adams", **A1)],
        [C("PFS ", med("t1_adams_pfs", "14", "pfs"), " months, OS ", med("t1_adams_os", "30", "os"), " months", **A1),
         C("one-, two- and three-year OS ", rate("t1_adams_os1y", "80.0", "1y", endpoint="os"), "%, ",
           rate("t1_adams_os2y", "60.0", "2y", endpoint="os"), "% and ",
           rate("t1_adams_os3y", "20.0", "3y", endpoint="os"), "%", **A1),
         C("one-year PFS ", rate("t1_adams_pfs1y", "55.0", "1y", endpoint="pfs"), "%", **A1),
         C("one- and two-year RFS ", rate("t1_adams_rfs1y", "40.0", "1y", endpoint="rfs"), "% and ",
           rate("t1_adams_rfs2y", "45.0", "2y", endpoint="rfs"), "%", **A1)],
        [C("local progression ", *frac("t1_adams_lp", "20", "80", "25.0", endpoint="local_progression"),
           ", distant progression ", *frac("t1_adams_dp", "32", "80", "40.0", endpoint="distant_progression"), **A1),
         C("pneumonitis ", *frac("t1_adams_pneu", "9", "80", "12.5", endpoint="adverse_event", subgroup="pneumonitis"),
           ", fatigue ", *frac("t1_adams_fat", "19", "80", "23.6", endpoint="adverse_event", subgroup="fatigue"),
           ", pneumothorax ", *frac("t1_adams_ptx", "5", "80", "6.2", endpoint="adverse_event", subgroup="pneumothorax"), **A1),
         C("metastatic sites brain ", pc("t1_adams_brain", "30.0", endpoint="share", subgroup="brain", partition_id="adams_sites"),
           "%, bone ", pc("t1_adams_bone", "45.0", endpoint="share", subgroup="bone", partition_id="adams_sites"),
           "% and liver ", pc("t1_adams_liver", "35.0", endpoint="share", subgroup="liver", partition_id="adams_sites"), "%", **A1)]),
    row(S21, T1,
        [C(M("m_t1_evans", "Mary Evans", "5"), "\t", n("t1_evans_n", "45"), cid="st_evans", **E5)],
        [C("PFS ", med("t1_evans_pfs", "8.0", "pfs"), " months, OS ", med("t1_evans_os", "18.0", "os"), " months", **E5),
         C("CR ", k("t1_evans_cr", "10", endpoint="cr", partition_id="evans_resp", total_id="t1_evans_n"),
           ", PR ", k("t1_evans_pr", "20", endpoint="pr", partition_id="evans_resp", total_id="t1_evans_n"),
           ", SD ", k("t1_evans_sd", "10", endpoint="sd", partition_id="evans_resp", total_id="t1_evans_n"),
           " and PD ", k("t1_evans_pd", "8", endpoint="pd", partition_id="evans_resp", total_id="t1_evans_n"), " patients", **E5)],
        [C("local progression ", *frac("t1_evans_lp", "9", "45", "20.0", endpoint="local_progression"), **E5),
         C("pneumothorax ", pc("t1_evans_ptx_pct", "7.5", endpoint="adverse_event", subgroup="pneumothorax"), "%", **E5)]),
    row(S21, T1,
        [C(M("m_t1_wang", "王伟", "7"), "\t", n("t1_wang_n", "50"), cid="st_wang", **G7)],
        [C("PFS ", med("t1_wang_pfs", "20.0", "pfs"), " months, OS ", med("t1_wang_os", "15.0", "os"), " months", **G7)],
        [C("adenocarcinoma (HR ", hr("t1_wang_adeno_hr", "0.20", endpoint="prognostic", subgroup="adenocarcinoma"), ", P = ",
           p("t1_wang_adeno_p", "0.000", endpoint="prognostic", subgroup="adenocarcinoma"), ")", cid="pf_wang_adeno", **G7),
         C("female sex (HR ", hr("t1_wang_female_hr", "2.10", endpoint="prognostic", subgroup="female"), ", P = ",
           p("t1_wang_female_p", "0.03", endpoint="prognostic", subgroup="female"), ") were favourable factors for OS",
           cid="pf_wang_female", **G7),
         C("smoking (HR ", hr("t1_wang_smoke_hr", "0.80", endpoint="prognostic", subgroup="smoking"), ", P = ",
           p("t1_wang_smoke_p", "0.50", endpoint="prognostic", subgroup="smoking"), ") was an unfavourable factor",
           cid="pf_wang_smoke", **G7),
         C("tumour size was not associated with OS", cid="pf_wang_size", **G7)]),
    row(S21, T1,
        [C(M("m_t1_hill", "Peter Hill", "8"), "\t", n("t1_hill_n", "30"), cid="st_hill", **H8)],
        [C("TTLP ", med("t1_hill_ttlp", "10.0", "ttlp"), " months, PFS (",
           V("t1_hill_pfs", "12.5", "mean", endpoint="pfs", unit="months"), " ± ",
           V("t1_hill_pfs_sd", "2.0", "sd", endpoint="pfs", unit="months", bound="plus_minus"), ") months, OS ",
           med("t1_hill_os", "60", "os", unit="weeks"), " weeks", **H8)],
        [C("local control in ", k("t1_hill_lc_k", "12", endpoint="local_control", unit="lesions", denominator_id="t1_hill_lc_n"),
           "/", n("t1_hill_lc_n", "10", endpoint="local_control", unit="lesions"), " lesions", **H8)]),
    row(S21, T1,
        [C(M("m_t1_muller", "K. Muller", "9"), "\t", n("t1_muller_n", "36"), cid="st_muller", **I9)],
        [C("PFS ", med("t1_muller_pfs", "9.0", "pfs"), " months, OS ", med("t1_muller_os", "21.0", "os"),
           " months, one-year OS ", rate("t1_muller_os1y", "70.0", "1y", endpoint="os"), "%", **I9)],
        [C("local progression ", *frac("t1_muller_lp", "9", "36", "25.0", endpoint="local_progression"), **I9),
         C("complete ablation ", pc("t1_muller_ca", "105.0", endpoint="complete_ablation"), "%", **I9),
         C("fatigue ", pc("t1_muller_fat", "8.3", endpoint="adverse_event", subgroup="fatigue"), "%", **I9),
         C("surgery group: OS ", med("t1_muller_os_s", "31.0", "os", arm="surgery"), " months", **I9),
         C("radiotherapy group: OS ", med("t1_muller_os_r", "27.0", "os", arm="radiotherapy"), " months", **I9)]),
    para(S21, "text 2.1",
         C(M("m_s21_adams", "Adams", "1"), " treated ", n("s21_adams_n", "82"), " patients.", **A1),
         C("Local progression ranged from ", pc("s21_lp_lo", "10.0", endpoint="local_progression", bound="low"), "%~",
           pc("s21_lp_hi", "25.0", endpoint="local_progression", bound="high"), "% and distant progression from ",
           pc("s21_dp_lo", "30.0", endpoint="distant_progression", bound="low"), "%~",
           pc("s21_dp_hi", "50.0", endpoint="distant_progression", bound="high"), "% [1] [5] [6] [9].",
           cid="cl_s21_prog", refs="1;5;6;9"),
         C("Pneumothorax occurred in ", pc("s21_ptx_lo", "5.0", endpoint="adverse_event", subgroup="pneumothorax", bound="low"),
           "%~", pc("s21_ptx_hi", "15.0", endpoint="adverse_event", subgroup="pneumothorax", bound="high"), "% [1] [6].",
           cid="cl_s21_ptx", refs="1;6"),
         C("In [1], the median OS was ", med("s21_adams_os_s", "24.0", "os", arm="surgery"), " and ",
           med("s21_adams_os_r", "18.0", "os", arm="radiotherapy"), " months in the surgery and radiotherapy groups.", **A1),
         C("When surgery or radiotherapy was compared [8], the median OS of the two groups was ",
           med("s21_hill_os_s", "27.0", "os", arm="surgery"), " and ", med("s21_hill_os_r", "31.0", "os", arm="radiotherapy"),
           " months respectively.", **H8),
         C("Tumour size was a favourable factor for OS [7], as was adenocarcinoma [7].", cid="pf_s21_wang_text", **G7),
         C("Pneumonia was reported in ", *frac("s21_evans_pna", "3", "70", "4.3", endpoint="adverse_event", subgroup="pneumonia"),
           " [5].", **E5),
         C("Of the ", n("s21_evans_n", "45"), " patients of ", M("m_s21_evans", "Evans", "5"), ", ",
           pc("s21_evans_resp", "33.0", endpoint="orr", denominator_id="s21_evans_n"), "% responded.", **E5),
         C(M("m_s21_evans_rfs", "Evans", "5"), " also gave a median RFS of ", med("s21_evans_rfs", "20.0", "rfs"), " months.", **E5),
         C("Pneumothorax needed drainage after ", k("s21_evans_ptx_k", "2", endpoint="adverse_event", subgroup="pneumothorax",
                                                    unit="sessions", denominator_id="s21_evans_ptx_n"), "/",
           n("s21_evans_ptx_n", "55", endpoint="adverse_event", subgroup="pneumothorax", unit="sessions"), " sessions [5].", **E5),
         C("In biomarker-negative patients ", k("s21_evans_pdl1_k", "4", endpoint="orr", subgroup="pd_l1_negative",
                                            denominator_id="s21_evans_pdl1_n"), "/",
           n("s21_evans_pdl1_n", "18", endpoint="orr", subgroup="pd_l1_negative"), " responded [5].", **E5),
         C("Of the ", k("s21_evans_prog", "30", endpoint="progression"), " patients who progressed, ",
           k("s21_evans_reabl", "12", endpoint="late_lct", denominator_id="s21_evans_prog"), " had a second ablation [5].", **E5),
         C("Complications were more frequent in older patients (",
           pc("s21_adams_cx65", "68.4", endpoint="adverse_event", arm="age_ge_65", subgroup="complication"), "%) [1].", **A1)),
    raw("### 2.2. Randomised trials"),
    raw("**Table 2.** Randomised trials (experimental vs control)"),
    raw("Author\tN\tOutcomes"),
    row(S22, T2,
        [C(M("m_t2_baker", "Anna Baker", "2"), "\t", n("t2_baker_n", "100"), " (",
           n("t2_baker_ne", "50", arm=E, partition_id="baker_arms", total_id="t2_baker_n"), "/",
           n("t2_baker_nc", "50", arm=Cc, partition_id="baker_arms", total_id="t2_baker_n"), ")", cid="st_baker", **B2)],
        [C("PFS ", med("t2_baker_pfs_e", "10.0", "pfs", arm=E), " vs ", med("t2_baker_pfs_c", "6.0", "pfs", arm=Cc),
           " months (HR ", hr("t2_baker_pfs_hr", "0.60", endpoint="pfs"), ", P = ", p("t2_baker_pfs_p", "0.01", endpoint="pfs"), ")", **B2),
         C("OS ", med("t2_baker_os_e", "24.0", "os", arm=E), " vs ", med("t2_baker_os_c", "18.0", "os", arm=Cc),
           " months (HR ", hr("t2_baker_os_hr", "0.62", endpoint="os"), ", P = ", p("t2_baker_os_p", "0.04", endpoint="os"), ")", **B2),
         C("ORR ", *frac("t2_baker_orr_e", "20", "50", "40.0", endpoint="orr", arm=E), " vs ",
           *frac("t2_baker_orr_c", "10", "50", "20.0", endpoint="orr", arm=Cc), " (OR ",
           odds("t2_baker_orr_or", "3.10", endpoint="orr"), ", P = ", p("t2_baker_orr_p", "0.03", endpoint="orr"), ")", **B2),
         C("DCR control ", pc("t2_baker_dcr_c", "70.0", endpoint="dcr", arm=Cc), "% vs experimental ",
           pc("t2_baker_dcr_e", "84.0", endpoint="dcr", arm=E), "%", **B2),
         C("severe toxicity control ", pc("t2_baker_g3_c", "20.0", endpoint="adverse_event", subgroup="grade_ge3", arm=Cc),
           "% vs experimental ", pc("t2_baker_g3_e", "30.0", endpoint="adverse_event", subgroup="grade_ge3", arm=E), "%", **B2),
         C("local progression ", k("t2_baker_lp_e", "3", endpoint="local_progression", arm=E, denominator_id="t2_baker_lpn_e"), "/",
           n("t2_baker_lpn_e", "20", endpoint="local_progression", arm=E), " vs ",
           k("t2_baker_lp_c", "5", endpoint="local_progression", arm=Cc, denominator_id="t2_baker_lpn_c"), "/",
           n("t2_baker_lpn_c", "25", endpoint="local_progression", arm=Cc), **B2)]),
    row(S22, T2,
        [C(M("m_t2_chen", "Li Chen", "3"), "\t", n("t2_chen_n", "60"), " (", n("t2_chen_ne", "30", arm=E), "/",
           n("t2_chen_nc", "30", arm=Cc), ")", cid="st_chen", **C3)],
        [C("PFS ", med("t2_chen_pfs_e", "5.0", "pfs", arm=E), " vs ", med("t2_chen_pfs_c", "8.0", "pfs", arm=Cc),
           " months (HR ", hr("t2_chen_pfs_hr", "0.55", endpoint="pfs"), ", P = ", p("t2_chen_pfs_p", "0.02", endpoint="pfs"), ")", **C3),
         C("OS ", med("t2_chen_os_e", "20.0", "os", arm=E), " vs ", med("t2_chen_os_c", "15.0", "os", arm=Cc),
           " months (HR ", hr("t2_chen_os_hr", "1.40", endpoint="os"), ", P = ", p("t2_chen_os_p", "0.30", endpoint="os"), ")", **C3),
         C("local control ", pc("t2_chen_lc_e", "80.0", endpoint="local_control", arm=E), "% vs ",
           pc("t2_chen_lc_c", "50.0", endpoint="local_control", arm=Cc), "%", **C3),
         C("ORR ", *frac("t2_chen_orr_e", "15", "30", "50.0", endpoint="orr", arm=E), " vs ",
           *frac("t2_chen_orr_c", "6", "30", "20.0", endpoint="orr", arm=Cc), **C3),
         C("ORR at week twelve ", *frac("t2_chen_orr12_e", "12", "30", "40.0", endpoint="orr", arm=E, timepoint="12w"), " vs ",
           *frac("t2_chen_orr12_c", "4", "30", "13.3", endpoint="orr", arm=Cc, timepoint="12w"), " (P = ",
           p("t2_chen_orr12_p", "0.04", endpoint="orr", timepoint="12w"), ")", **C3)]),
    row(S22, T2,
        [C(M("m_t2_dunn", "Sam Dunn", "4"), "\t", n("t2_dunn_n", "40"), " (", n("t2_dunn_ne", "20", arm=E), "/",
           n("t2_dunn_nc", "20", arm=Cc), ")", cid="st_dunn", **D4)],
        [C("PFS ", med("t2_dunn_pfs_e", "9.0", "pfs", arm=E), " vs ", med("t2_dunn_pfs_c", "6.0", "pfs", arm=Cc),
           " months (HR ", hr("t2_dunn_pfs_hr", "0.70", endpoint="pfs"), ", P = ", p("t2_dunn_pfs_p", "0.001", endpoint="pfs"), ")", **D4),
         C("OS ", med("t2_dunn_os_e", "15.0", "os", arm=E), " vs ", med("t2_dunn_os_c", "12.0", "os", arm=Cc),
           " months (HR ", hr("t2_dunn_os_hr", "0.85", endpoint="os"), ", P = ", p("t2_dunn_os_p", "1.20", endpoint="os"), ")", **D4),
         C("response ", *frac("t2_dunn_rsp_e", "12", "20", "60.0", endpoint="orr", arm=E), " vs ",
           *frac("t2_dunn_rsp_c", "4", "20", "20.0", endpoint="orr", arm=Cc), " (OR ",
           odds("t2_dunn_rsp_or", "6.00", endpoint="orr"), ", P = ", p("t2_dunn_rsp_p", "0.50", endpoint="orr"), ")", **D4)]),
    row(S22, T2,
        [C(M("m_t2_fox", "Lucy Fox", "6"), "\t", n("t2_fox_n", "70"), " (", n("t2_fox_ne", "30", arm=E), "/",
           n("t2_fox_nc", "35", arm=Cc), ")", cid="st_fox", **F6)],
        [C("PFS ", med("t2_fox_pfs", "6.0", "pfs"), " months, one-year PFS ", rate("t2_fox_pfs1y", "60.0", "1y", endpoint="pfs"), "%", **F6),
         C("local progression ", *frac("t2_fox_lp", "7", "70", "10.0", endpoint="local_progression"),
           ", distant progression ", *frac("t2_fox_dp", "42", "70", "60.0", endpoint="distant_progression"),
           ", pneumothorax ", *frac("t2_fox_ptx", "10", "70", "14.3", endpoint="adverse_event", subgroup="pneumothorax"), **F6),
         C("response ", *frac("t2_fox_rsp_e", "15", "30", "50.0", endpoint="orr", arm=E), " vs ",
           *frac("t2_fox_rsp_c", "6", "35", "17.1", endpoint="orr", arm=Cc), " (OR ",
           odds("t2_fox_rsp_or", "4.60", endpoint="orr"), ", P = ", p("t2_fox_rsp_p", "0.006", endpoint="orr"), ")", **F6)]),
    para(S22, "text 2.2",
         C("In the trial of ", M("m_s22_baker", "Baker", "2"), ", PFS was ", med("s22_baker_pfs_e", "6.0", "pfs", arm=E), " and ",
           med("s22_baker_pfs_c", "10.0", "pfs", arm=Cc), " months in the experimental and control groups, respectively (HR ",
           hr("s22_baker_pfs_hr", "0.60", endpoint="pfs"), ", P = ", p("s22_baker_pfs_p", "0.01", endpoint="pfs"), ").", **B2),
         C(M("m_s22_baker2", "Baker", "2"), " found no difference in OS between the groups.", cid="cl_s22_baker", **B2),
         C(M("m_s22_dunn_os", "Dunn", "4"), " reported a median OS of ", med("s22_dunn_os_e", "12.0", "os", arm=E), " and ",
           med("s22_dunn_os_c", "15.0", "os", arm=Cc), " months in the experimental and control groups, respectively.", **D4),
         C(M("m_s22_chen", "Chen", "3"), " reported a disease control rate of ",
           pc("s22_chen_dcr_e", "50.0", endpoint="dcr", arm=E), "% and ", pc("s22_chen_dcr_c", "80.0", endpoint="dcr", arm=Cc),
           "% in the experimental and control groups.", **C3),
         C(M("m_s22_garcia", "Garcia", "2"), " compared consolidative radiotherapy with maintenance therapy."),
         C(M("m_s22_dunn", "Dunn", "4"), " found no difference in OS.", cid="cl_s22_dunn", **D4),
         C("In ", M("m_s22_baker3", "Baker", "2"), ", the DCR was ", pc("s22_baker_dcr_c", "70.0", endpoint="dcr", arm=Cc),
           "% in the control and ", pc("s22_baker_dcr_e", "84.0", endpoint="dcr", arm=E), "% in the experimental group.", **B2)),
    raw("## 3. Conclusion"),
    para("3", "text 3", C("Local therapy may improve outcomes [10].")),
]

REFERENCES = [
    ("1", "Adams", "2019", "Adams, J., Brown, K., *et al.* (2019)", "Local Therapy in Oligometastatic Disease", "Journal of Synthetic Oncology", "primary_study"),
    ("2", "Baker", "2020", "Baker, A., Cole, D., *et al.* (2020)", "Consolidative Radiotherapy: A Randomised Trial", "Synthetic Trials", "trial_report"),
    ("3", "Chen", "2018", "Chen, L., Ding, W., *et al.* (2018)", "Ablation versus Observation", "Synthetic Trials", "trial_report"),
    ("4", "Dunn", "2021", "Dunn, S., Ellis, R., *et al.* (2021)", "Surgery after Chemotherapy", "Synthetic Trials", "trial_report"),
    ("5", "Evans", "2017", "Evans, M., Ford, T., *et al.* (2017)", "Radiofrequency Ablation Outcomes", "Journal of Synthetic Oncology", "primary_study"),
    ("6", "Fox", "2022", "Fox, L., Grant, H., *et al.* (2022)", "Stereotactic Radiotherapy Trial", "Synthetic Trials", "trial_report"),
    ("7", "王伟", "2015", "王伟, 李明, 等.", "寡转移肺癌的局部治疗[J]", "合成肿瘤杂志", "primary_study"),
    ("8", "Hill", "2014", "Hill, P., Irwin, J., *et al.* (2014)", "Salvage Ablation", "Journal of Synthetic Oncology", "primary_study"),
    ("9", "Müller", "2016", "Müller, K., Jung, S., *et al.* (2016)", "Microwave Ablation Series", "Journal of Synthetic Oncology", "primary_study"),
    ("10", "Zhou", "2020", "Zhou, Q., King, A., *et al.* (2020)", "Oligometastasis: A Review", "Synthetic Reviews", "review"),
]

STUDIES = [  # study_id, refs, author_printed (mention id of the intro), romanised, location, design, arm_order, n_id
    ("adams2019", "1", "m_t1_adams", "John Adams", T1, "retrospective", "", "t1_adams_n", "st_adams"),
    ("evans2017", "5", "m_t1_evans", "Mary Evans", T1, "retrospective", "", "t1_evans_n", "st_evans"),
    ("wang2015", "7", "m_t1_wang", "Wang Wei", T1, "retrospective", "", "t1_wang_n", "st_wang"),
    ("hill2014", "8", "m_t1_hill", "Peter Hill", T1, "retrospective", "", "t1_hill_n", "st_hill"),
    ("muller2016", "9", "m_t1_muller", "K. Muller", T1, "retrospective", "", "t1_muller_n", "st_muller"),
    ("baker2020", "2", "m_t2_baker", "Anna Baker", T2, "rct", "experimental;control", "t2_baker_n", "st_baker"),
    ("chen2018", "3", "m_t2_chen", "Li Chen", T2, "rct", "experimental;control", "t2_chen_n", "st_chen"),
    ("dunn2021", "4", "m_t2_dunn", "Sam Dunn", T2, "rct", "experimental;control", "t2_dunn_n", "st_dunn"),
    ("fox2022", "6", "m_t2_fox", "Lucy Fox", T2, "rct", "experimental;control", "t2_fox_n", "st_fox"),
]

PROGNOSTIC = [  # factor_id, study, clause, endpoint, factor, key, hr_id, p_id, wording
    ("pf_wang_adeno", G7, "pf_wang_adeno", "os", "adenocarcinoma", "adenocarcinoma", "t1_wang_adeno_hr", "t1_wang_adeno_p", "favourable"),
    ("pf_wang_female", G7, "pf_wang_female", "os", "female sex", "female", "t1_wang_female_hr", "t1_wang_female_p", "favourable"),
    ("pf_wang_smoke", G7, "pf_wang_smoke", "os", "smoking", "smoking", "t1_wang_smoke_hr", "t1_wang_smoke_p", "unfavourable"),
    ("pf_wang_size", G7, "pf_wang_size", "os", "tumour size", "tumour_size", "", "", "no_association"),
    # the text calls a factor favourable that the row reports no association for (planted) and one
    # it also calls favourable (clean)
    ("pf_s21_wang_size", G7, "pf_s21_wang_text", "os", "Tumour size", "tumour_size", "", "", "favourable"),
    ("pf_s21_wang_adeno", G7, "pf_s21_wang_text", "os", "adenocarcinoma", "adenocarcinoma", "", "", "favourable"),
]

CLAIMS = [  # claim_id, type, clause, quantity, endpoint, subgroup, low, high, members
    ("cl_s1_lc", "range", "cl_s1_lc", "percent", "local_control", "", "s1_lc_lo", "s1_lc_hi", ""),
    ("cl_s21_lp", "range", "cl_s21_prog", "percent", "local_progression", "", "s21_lp_lo", "s21_lp_hi",
     "t1_adams_lp_pct;t1_evans_lp_pct;t1_muller_lp_pct;t2_fox_lp_pct"),
    ("cl_s21_dp", "range", "cl_s21_prog", "percent", "distant_progression", "", "s21_dp_lo", "s21_dp_hi",
     "t1_adams_dp_pct;t2_fox_dp_pct"),
    ("cl_s21_ptx", "range", "cl_s21_ptx", "percent", "adverse_event", "pneumothorax", "s21_ptx_lo", "s21_ptx_hi",
     "t1_adams_ptx_pct;t2_fox_ptx_pct"),
    ("cl_s22_baker", "no_difference", "cl_s22_baker", "p_value", "os", "", "", "", "t2_baker_os_p"),
    ("cl_s22_dunn", "no_difference", "cl_s22_dunn", "p_value", "os", "", "", "", "t2_dunn_os_p"),
]

# Planted defects: check, severity, evidence ids (exactly the value_ids of the expected issue)
EXPECTED = [
    ("percent_vs_count", "error", "t1_adams_pneu_pct;t1_adams_pneu_k;t1_adams_pneu_n"),
    ("percent_vs_count", "warning", "t1_adams_fat_pct;t1_adams_fat_k;t1_adams_fat_n"),
    ("grim_percent", "error", "s21_evans_resp;s21_evans_n"),
    ("grim_percent", "warning", "t1_evans_ptx_pct"),
    ("parts_vs_total", "error", "t1_evans_cr;t1_evans_pr;t1_evans_sd;t1_evans_pd;t1_evans_n"),
    ("parts_vs_total", "error", "t1_adams_brain;t1_adams_bone;t1_adams_liver"),
    ("parts_vs_total", "warning", "t2_fox_ne;t2_fox_nc;t2_fox_n"),
    ("impossible_value", "info", "t1_wang_adeno_p"),  # P = 0.000: a printing convention,
    ("impossible_value", "error", "t1_muller_ca"),
    ("impossible_value", "error", "t2_dunn_os_p"),
    ("impossible_value", "error", "t1_hill_lc_k;t1_hill_lc_n"),
    ("range_claim", "error", "s21_dp_lo;s21_dp_hi;t1_adams_dp_pct;t2_fox_dp_pct"),
    ("range_claim", "warning", "s21_ptx_lo;s21_ptx_hi;t1_adams_ptx_pct;t2_fox_ptx_pct"),
    ("same_quantity_mismatch", "error", "t1_adams_n;s21_adams_n"),
    ("arms_swapped", "error", "t2_baker_pfs_e;t2_baker_pfs_c;s22_baker_pfs_e;s22_baker_pfs_c"),
    ("arms_swapped", "error", "t2_chen_lc_e;t2_chen_lc_c;s22_chen_dcr_e;s22_chen_dcr_c"),
    # an exchange no evidence decides (no HR printed with the text, no source)
    ("arms_swapped", "error", "t2_dunn_os_e;t2_dunn_os_c;s22_dunn_os_e;s22_dunn_os_c"),
    # the swapped text printing of Baker's PFS also carries the HR: its medians contradict it
    ("hr_direction_vs_medians", "error", "s22_baker_pfs_e;s22_baker_pfs_c;s22_baker_pfs_hr;s22_baker_pfs_p"),
    ("hr_vs_median_ratio", "warning", "s22_baker_pfs_hr;s22_baker_pfs_e;s22_baker_pfs_c"),
    ("hr_direction_vs_medians", "error", "t2_chen_pfs_e;t2_chen_pfs_c;t2_chen_pfs_hr;t2_chen_pfs_p"),
    ("hr_direction_vs_medians", "warning", "t2_chen_os_e;t2_chen_os_c;t2_chen_os_hr;t2_chen_os_p"),
    ("hr_vs_median_ratio", "warning", "t2_chen_pfs_hr;t2_chen_pfs_e;t2_chen_pfs_c"),
    ("arm_order", "warning", "t2_baker_dcr_c;t2_baker_dcr_e;t2_baker_g3_c;t2_baker_g3_e"),
    ("survival_landmark", "error", "t2_fox_pfs1y;t2_fox_pfs"),
    ("survival_exponential", "warning", "t2_fox_pfs1y;t2_fox_pfs"),
    ("survival_exponential", "warning", "t1_adams_os3y;t1_adams_os"),
    ("landmark_monotonic", "error", "t1_adams_rfs1y;t1_adams_rfs2y"),  # a curve that rises
    # a sentence's announced order gives each group the other's figures (cited to the wrong study, too)
    ("announced_arm_order", "error", "s21_hill_os_r;s21_hill_os_s;t1_muller_os_r;t1_muller_os_s"),
    ("citation_value_match", "error", "s21_hill_os_s;s21_hill_os_r;t1_muller_os_s;t1_muller_os_r"),
    # a factor called favourable in the text that its study's row reports no association for
    ("claim_vs_figures", "error", "pf_s21_wang_size;pf_wang_size"),
    ("endpoint_order", "error", "t1_wang_pfs;t1_wang_os"),
    ("endpoint_order", "warning", "t1_hill_pfs;t1_hill_ttlp"),
    ("p_from_2x2", "error", "t2_dunn_rsp_p;t2_dunn_rsp_c_k;t2_dunn_rsp_c_n;t2_dunn_rsp_e_k;t2_dunn_rsp_e_n"),
    ("or_from_counts", "warning", "t2_baker_orr_or;t2_baker_orr_c_k;t2_baker_orr_c_n;t2_baker_orr_e_k;t2_baker_orr_e_n"),
    ("p_attainable", "error", "t2_dunn_pfs_hr;t2_dunn_pfs_p;t2_dunn_n"),
    ("no_difference_claim", "error", "cl_s22_baker;t2_baker_os_p"),
    ("hr_direction_wording", "warning", "t1_wang_adeno_hr;t1_wang_female_hr;t1_wang_smoke_hr"),
    ("unit_mix", "warning", "t1_hill_os"),
    ("citation_author", "error", "m_s22_garcia"),
    ("citation_sample_size", "warning", "s21_evans_pna_k;s21_evans_pna_n"),
    ("citation_value_match", "error", "s21_adams_os_s;s21_adams_os_r;t2_baker_os_e;t2_baker_os_c"),
    ("grim_percent", "info", "s21_adams_cx65"),
    ("parts_vs_total", "info", "s1_st12;s1_st3;s1_st4"),
    ("p_from_2x2", "info", "t2_fox_rsp_p;t2_fox_rsp_e_k;t2_fox_rsp_e_n;t2_fox_rsp_c_k;t2_fox_rsp_c_n"),
    ("or_from_counts", "info", "t2_fox_rsp_or;t2_fox_rsp_e_k;t2_fox_rsp_e_n;t2_fox_rsp_c_k;t2_fox_rsp_c_n"),
    # against the invented sources of external/ (see external/README.md, which also lists the look-alikes)
    ("primary_source_mismatch", "error", "s22_chen_dcr_e;s22_chen_dcr_c"),  # the exchange, counted once
    ("secondary_source_doubt", "info", "t1_evans_pfs"),
    ("source_fact_mismatch", "warning", "t1_hill_n"),
]

VALUE_COLS = ["value_id", "section", "location", "refs", "study_id", "quantity", "endpoint", "term", "arm",
              "subgroup", "timepoint", "unit", "comparator", "value", "value_offset", "bound", "count_id",
              "denominator_id", "partition_id", "total_id", "offset", "quote", "reading"]
TERMS = {"pfs": "PFS", "os": "OS", "ttlp": "TTLP", "orr": "ORR", "dcr": "DCR"}


def render():
    text = []
    pos = 0
    values, mentions, clauses = [], [], {}

    def emit(s):
        nonlocal pos
        text.append(s)
        pos += len(s)

    for block in SPEC:
        if block[0] == "raw":
            emit(block[1] + "\n\n")
            continue
        kind, section, location, items, sep = block
        units = [[c] for c in items] if kind == "para" else items
        for ui, unit in enumerate(units):
            if ui:
                emit(sep)
            for ci, cl in enumerate(unit):
                if ci:
                    emit("; ")
                start = pos
                pending = []
                for part in cl.parts:
                    if isinstance(part, str):
                        emit(part)
                    elif isinstance(part, M):
                        ms = pos
                        brackets = " ".join(f"[{r}]" for r in part.refs.split(";"))
                        emit(f"{part.author} {brackets}")
                        mentions.append(dict(mention_id=part.mid, location=location, section=section,
                                             author_printed=part.author, refs=part.refs, offset=ms,
                                             quote=f"{part.author} {brackets}"))
                    else:
                        pending.append((part, pos))
                        emit(part.value)
                quote = "".join(text)[start:pos]
                if cl.cid:
                    clauses[cl.cid] = (start, quote, section, location, cl.ctx)
                for v, voff in pending:
                    kw = dict(cl.ctx)
                    kw.update(v.kw)
                    q = kw["quantity"]
                    row = {c: "" for c in VALUE_COLS}
                    row.update(value_id=v.vid, section=section, location=location, value=v.value, value_offset=voff,
                               offset=start, quote=quote, comparator="=", bound="point",
                               unit=UNIT.get(q, ""))
                    for key, val in kw.items():
                        if key in row:
                            row[key] = val
                    row["term"] = kw.get("term", TERMS.get(row["endpoint"], ""))
                    values.append(row)
        emit("\n\n")
    emit("## References\n\n")
    refs_rows = []
    for ref, fa, year, opening, title, journal, kind in REFERENCES:
        line = f"- [{ref}] {opening} {title}. *{journal}*.\n"
        o = pos + 2
        emit(line)
        refs_rows.append(dict(ref=ref, first_author=fa, year=year, title=title, journal=journal, doi="",
                              kind=kind, offset=o, quote=f"[{ref}] {opening}"))
    return "".join(text), values, mentions, clauses, refs_rows


def write_csv(path, rows, cols):
    rows = sorted(rows, key=lambda r: (int(r["offset"]) if str(r.get("offset", "")) != "" else -1,
                                       str(r.get(cols[0], ""))))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})


def build(out: Path = HERE) -> dict:
    text, values, mentions, clauses, refs_rows = render()
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "extracted").mkdir(parents=True, exist_ok=True)
    (out / "raw" / "synthetic.txt").write_bytes(text.encode("utf-8"))
    ex = out / "extracted"
    byid = {v["value_id"]: v for v in values}
    mbyid = {m["mention_id"]: m for m in mentions}
    assert len(byid) == len(values), "duplicate value ids"
    write_csv(ex / "references.csv", refs_rows,
              ["ref", "first_author", "year", "title", "journal", "doi", "kind", "offset", "quote"])
    st_rows = []
    for sid, refs, mid, rom, loc, design, order, nid, cid in STUDIES:
        start, quote = clauses[cid][0], clauses[cid][1]
        st_rows.append(dict(study_id=sid, refs=refs, author_printed=mbyid[mid]["author_printed"], author_romanised=rom,
                            location=loc, design=design, arm_order=order, n_id=nid, offset=start, quote=quote, reading=""))
    write_csv(ex / "studies.csv", st_rows, ["study_id", "refs", "author_printed", "author_romanised", "location",
                                            "design", "arm_order", "n_id", "offset", "quote", "reading"])
    write_csv(ex / "mentions.csv", mentions, ["mention_id", "location", "section", "author_printed", "refs", "offset", "quote"])
    write_csv(ex / "values.csv", values, VALUE_COLS)
    pg = []
    for fid, ctx, cid, ep, factor, key, hid, pid, wording in PROGNOSTIC:
        start, quote, section, location, _ = clauses[cid]
        pg.append(dict(factor_id=fid, study_id=ctx["study_id"], refs=ctx["refs"], location=location, section=section,
                       endpoint=ep, factor=factor, factor_key=key, hr_id=hid, p_id=pid, wording=wording,
                       offset=start, quote=quote, reading=""))
    write_csv(ex / "prognostic.csv", pg, ["factor_id", "study_id", "refs", "location", "section", "endpoint", "factor",
                                          "factor_key", "hr_id", "p_id", "wording", "offset", "quote", "reading"])
    cl = []
    for cid, ctype, clause, q, ep, sg, lo, hi, members in CLAIMS:
        start, quote, section, location, ctx = clauses[clause]
        cl.append(dict(claim_id=cid, claim_type=ctype, section=section, location=location, refs=ctx.get("refs", ""),
                       quantity=q, endpoint=ep, subgroup=sg, low_id=lo, high_id=hi, member_ids=members,
                       factor_key="", wording="", offset=start, quote=quote, reading=""))
    write_csv(ex / "claims.csv", cl, ["claim_id", "claim_type", "section", "location", "refs", "quantity", "endpoint",
                                      "subgroup", "low_id", "high_id", "member_ids", "factor_key", "wording",
                                      "offset", "quote", "reading"])
    ns = [dict(pattern=r"\[\d+\]", reason="citation_number", offset="", token="", note=""),
          dict(pattern=r"(?m)^#+ \d+(?:\.\d+)*\.", reason="section_number", offset="", token="", note=""),
          dict(pattern=r"Table \d+", reason="table_number", offset="", token="", note="")]
    with open(ex / "non_statistics.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["pattern", "offset", "token", "reason", "note"], lineterminator="\n")
        w.writeheader()
        w.writerows(ns)
    with open(out / "expected_issues.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["check", "severity", "value_ids"])
        w.writerows(EXPECTED)
    # self-checks: every quote verbatim, every value inside its quote, every number covered
    for v in values:
        o, vo = int(v["offset"]), int(v["value_offset"])
        assert text[o:o + len(v["quote"])] == v["quote"], v["value_id"]
        assert text[vo:vo + len(v["value"])] == v["value"] and o <= vo < o + len(v["quote"]), v["value_id"]
    for r in mentions + refs_rows + st_rows + pg + cl:
        assert text[int(r["offset"]):int(r["offset"]) + len(r["quote"])] == r["quote"], r
    body = text[: text.index("## References")]
    covered = set()
    for v in values:
        covered.update(range(int(v["value_offset"]), int(v["value_offset"]) + len(v["value"])))
    for r in ns:
        for mm in re.finditer(r["pattern"], body):
            covered.update(range(mm.start(), mm.end()))
    for mm in re.finditer(r"\d+(?:\.\d+)?", body):
        assert set(range(mm.start(), mm.end())) <= covered, (mm.group(), body[mm.start() - 30:mm.end() + 10])
    all_ids = set(byid) | set(mbyid) | {c[0] for c in CLAIMS} | {f[0] for f in PROGNOSTIC}
    for _, _, ids in EXPECTED:
        assert set(ids.split(";")) <= all_ids, ids
    return {"values": len(values), "mentions": len(mentions), "studies": len(st_rows), "claims": len(cl),
            "prognostic": len(pg), "references": len(refs_rows), "chars": len(text)}


if __name__ == "__main__":
    print(build())
