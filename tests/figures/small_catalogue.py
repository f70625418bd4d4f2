"""A small Quảng Trị-like catalogue for figures tests that must not wait on the bundled one."""

from __future__ import annotations

from domain.catalogue import Catalogue, parse_catalogue

PROVINCE_YAML = """
code: quang-tri
name: Quảng Trị
reporting:
  - {code: monthly, name: Báo cáo tháng, every: month, day: 12, scope: all}
holidays: []
"""

UNITS_CSV = """code,name,kind,parent,aliases,note
quang-tri,Quảng Trị,province,,toàn tỉnh|tỉnh|tỉnh Quảng Trị|toàn tỉnh Quảng Trị|Quảng Trị province,
vinh-thuy,Vĩnh Thủy,xa,quang-tri,Vĩnh Thụy|Vĩnh Thuỷ,
vinh-linh,Vĩnh Linh,xa,quang-tri,,
vinh-dinh,Vĩnh Định,xa,quang-tri,,
vinh-hoang,Vĩnh Hoàng,xa,quang-tri,,
cam-lo,Cam Lộ,xa,quang-tri,,
dong-ha,Đông Hà,phuong,quang-tri,,
nam-dong-ha,Nam Đông Hà,phuong,quang-tri,,
dong-hoi,Đồng Hới,phuong,quang-tri,Đông Hới,
cua-viet,Cửa Việt,xa,quang-tri,,
nam-cua-viet,Nam Cửa Việt,xa,quang-tri,,
hai-lang,Hải Lăng,xa,quang-tri,,
lia,Lìa,xa,quang-tri,Lia,
huong-lap,Hướng Lập,xa,quang-tri,Hương Lập,
con-co,Cồn Cỏ,dac_khu,quang-tri,Côn Cỏ|đặc khu Cồn Cỏ,
bhxh-tinh,Bảo hiểm xã hội tỉnh,agency,quang-tri,BHXH tỉnh|BHXH|Bảo hiểm xã hội,
cong-an-tinh,Công an tỉnh,agency,quang-tri,CA tỉnh|PC06,
"""

INDICATORS_YAML = """
- code: ASXH
  name: Tích hợp tài khoản ngân hàng hưởng an sinh xã hội trên VNeID
  short: Tài khoản ASXH trên VNeID
  en: social-security bank accounts linked on VNeID
  aliases: [asxh, tk asxh, tài khoản asxh, an sinh, an sinh xã hội, tài khoản an sinh,
    tài khoản an sinh xã hội, tích hợp an sinh, tích hợp an sinh xã hội, social accounts,
    social-security accounts, social security accounts]
  kind: ratio
  assigned: communes
  target: {rate: 1.0, due: 2026-03-31}
- code: NCC
  name: Chi trả an sinh xã hội qua tài khoản đối với người có công với cách mạng
  short: Người có công nhận qua tài khoản
  en: people with meritorious service paid through bank accounts
  aliases: [ncc, người có công, chi trả người có công, người có công với cách mạng,
    meritorious people, war veterans payments]
  kind: ratio
  assigned: communes
- code: BTXH
  name: Chi trả an sinh xã hội qua tài khoản đối với đối tượng bảo trợ xã hội
  short: Bảo trợ xã hội nhận qua tài khoản
  en: social-protection beneficiaries paid through bank accounts
  aliases: [btxh, bảo trợ, bảo trợ xã hội, đối tượng bảo trợ xã hội, social protection,
    social assistance payments]
  kind: ratio
  assigned: communes
- code: LUONG_HUU
  name: Chi trả lương hưu, các chế độ BHXH và trợ cấp thất nghiệp qua tài khoản
  short: Lương hưu, BHXH qua tài khoản
  en: pensions paid through bank accounts
  aliases: [lương hưu, hưu trí, chi trả lương hưu, chế độ bhxh, pensions, pension payments]
  kind: ratio
  assigned: communes
- code: DDDT
  name: Tài khoản định danh điện tử của công dân từ đủ 14 tuổi
  short: Tài khoản ĐDDT (từ 14 tuổi)
  en: e-ID accounts of citizens aged 14 and over
  aliases: [đddt, ddđt, dinh danh, định danh, định danh điện tử, tài khoản định danh,
    tài khoản đddt, đddt 14 tuổi, e-ID, e-ID accounts, electronic ID]
  kind: ratio
  assigned: communes
  ask_when_ambiguous_with: [DDDT_M2]
- code: DDDT_M2
  name: Tài khoản định danh điện tử mức độ 2 của công dân từ đủ 14 tuổi
  short: Tài khoản ĐDDT mức độ 2
  en: level-2 e-ID accounts of citizens aged 14 and over
  aliases: [đddt, ddđt, dinh danh, định danh, định danh điện tử, tài khoản định danh,
    tài khoản đddt, mức 2, mức độ 2, đddt mức 2, đddt mức độ 2, định danh mức 2,
    tài khoản mức 2, level 2, level-2 e-ID, level-2 e-ID accounts]
  kind: ratio
  assigned: communes
  ask_when_ambiguous_with: [DDDT]
- code: DDDT_TC
  name: Tài khoản định danh điện tử của tổ chức (doanh nghiệp, hợp tác xã)
  short: ĐDDT tổ chức
  en: e-ID accounts of organisations
  aliases: [đddt tổ chức, định danh tổ chức, organisation e-ID]
  kind: ratio
  assigned: province
- code: SKDT
  name: Tích hợp Sổ sức khỏe điện tử trên VNeID (trên công dân có BHYT có hiệu lực)
  short: Sổ SKĐT (trên người có BHYT)
  en: e-health book on VNeID
  aliases: [skdt, skđt, sổ skđt, sổ sức khỏe, sổ sức khỏe điện tử, sức khỏe điện tử,
    e-health book, electronic health book, health book]
  kind: ratio
  assigned: communes
- code: DAT
  name: Rà soát, làm sạch dữ liệu đất đai
  short: Làm sạch dữ liệu đất đai
  en: land-data cleaning
  aliases: [đất đai, dữ liệu đất đai, làm sạch đất đai, land data]
  kind: ratio
  assigned: {communes_except: [con-co]}
- code: DSN_BCD
  name: Đánh số nhà - Ban hành Quyết định thành lập Ban Chỉ đạo
  short: ĐSN - thành lập Ban Chỉ đạo
  en: house numbering - steering committee set up
  aliases: [ban chỉ đạo đánh số nhà, bcđ đánh số nhà, thành lập ban chỉ đạo, dsn bcd,
    house numbering steering committee]
  kind: yesno
  assigned: communes
  group: DSN
  step: 1
- code: DSN_KH
  name: Đánh số nhà - Ban hành Kế hoạch triển khai
  short: ĐSN - ban hành Kế hoạch
  en: house numbering - implementation plan issued
  aliases: [kế hoạch đánh số nhà, kh đánh số nhà, dsn kh, house numbering plan]
  kind: yesno
  assigned: communes
  group: DSN
  step: 2
- code: DSN_DT
  name: Đánh số nhà - Lập dự toán trình phê duyệt cấp kinh phí
  short: ĐSN - lập dự toán kinh phí
  en: house numbering - budget estimate submitted
  aliases: [dự toán đánh số nhà, kinh phí đánh số nhà, dsn dt, house numbering budget]
  kind: yesno
  assigned: communes
  group: DSN
  step: 3
- code: DSN_HT
  name: Đánh số nhà - Hoàn thành đánh số nhà, định danh địa điểm
  short: ĐSN - hoàn thành đánh số nhà
  en: house numbering - numbering completed
  aliases: [đánh số nhà, hoàn thành đánh số nhà, định danh địa điểm, house numbering]
  kind: yesno
  assigned: communes
  group: DSN
  step: 4
"""


def small_catalogue() -> Catalogue:
    return parse_catalogue(
        province_yaml=PROVINCE_YAML,
        units_csv=UNITS_CSV,
        indicators_yaml=INDICATORS_YAML,
        tasks_yaml="",
    )
