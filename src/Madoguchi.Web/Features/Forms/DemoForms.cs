using Madoguchi.Web.Features.Catalog;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// Forms the demo publishes for three procedures the demo inventory plans for FY2025 (令和7年度)
/// with no tool chosen yet. They go online on the day the demo is loaded, after 2025-03-31, so the
/// audit's figures as of that date do not change. 保育所転所申請 is the three-page form the
/// browser tests fill in (repeatable family members, 和暦 date, postcode and address, フリガナ, attachment).
/// </summary>
public static class DemoForms
{
    public sealed record Demo(string ProcedureName, string Ka, string Json);

    public static readonly IReadOnlyList<Demo> All =
    [
        new("保育所転所申請", "保育支援課", HoikuTensho),
        new("住民票の写し申請", "区民課", Juminhyo),
        new("理容所届", "生活衛生課", Riyousho),
    ];

    /// <summary>
    /// Imports and publishes each demo form on its procedure (found by name, else another FY2025
    /// procedure of the same 課 that is planned, not online and has no tool). Returns the slugs.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PublishAsync(IServiceProvider sp, IReadOnlyList<Procedure> procedures, CancellationToken ct)
    {
        var forms = sp.GetRequiredService<FormService>();
        var used = new HashSet<Guid>();
        var slugs = new List<string>();
        foreach (var demo in All)
        {
            bool Fits(Procedure p) => p.OnlineEligible && p.Status == OnlineStatus.NotDone && p.PlanFiscalYear >= 2025 && p.Tool.Length == 0
                                      && p.Department?.Ka == demo.Ka && !used.Contains(p.Id);
            var procedure = procedures.Where(Fits).OrderBy(p => p.Name == demo.ProcedureName ? 0 : 1).ThenBy(p => p.Code, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new InvalidOperationException($"demo forms: no planned procedure left in {demo.Ka}");
            used.Add(procedure.Id);
            var imported = await forms.ImportAsync(demo.Json, procedure.Code, "demo", ct);
            await forms.PublishAsync(imported.Form.Slug, "demo", ct);
            slugs.Add(imported.Form.Slug);
        }
        return slugs;
    }

    private const string HoikuTensho = """
    {
      "slug": "hoikusho-tensho",
      "title": { "ja": "保育所転所申請", "en": "Application to change nursery school", "easy": "{保育所|ほいくしょ}を{変|か}える{申請|しんせい}" },
      "description": { "ja": "お子さんが通う保育所を変えたいときの申請です。", "en": "Apply to move your child to another nursery school.", "easy": "{子|こ}どもの{保育所|ほいくしょ}を{変|か}えたいときに{出|だ}します。" },
      "draftExpiryDays": 30,
      "pages": [
        {
          "key": "applicant",
          "title": { "ja": "申請者", "en": "Applicant", "easy": "{申請|しんせい}する{人|ひと}" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "kana": true,
              "label": { "ja": "申請者の氏名", "en": "Applicant's name", "easy": "{申請|しんせい}する{人|ひと}の{名前|なまえ}" },
              "help": { "ja": "フリガナはカタカナで入力してください（ひらがなはカタカナに直します）。", "en": "Enter the reading (furigana) in katakana." } },
            { "type": "date", "key": "applicantBirthDate", "required": true, "min": "1926-12-25",
              "label": { "ja": "生年月日", "en": "Date of birth", "easy": "{生|う}まれた{日|ひ}" },
              "help": { "ja": "例: 令和2年4月1日、R2.4.1、2020-04-01", "en": "For example 2020-04-01 or R2.4.1" } },
            { "type": "phone", "key": "phone", "required": true, "autocomplete": "tel",
              "label": { "ja": "日中の電話番号", "en": "Daytime phone number", "easy": "{昼|ひる}に{話|はな}せる{電話番号|でんわばんごう}" } },
            { "type": "email", "key": "email", "required": false, "autocomplete": "email",
              "label": { "ja": "メールアドレス", "en": "Email address", "easy": "メールアドレス" } },
            { "type": "radio", "key": "reason", "required": true,
              "label": { "ja": "転所の理由", "en": "Reason for the change", "easy": "{変|か}える{理由|りゆう}" },
              "options": [
                { "value": "moving", "label": { "ja": "転居", "en": "Moving house", "easy": "{引|ひ}っ{越|こ}し" } },
                { "value": "work", "label": { "ja": "勤務先の変更", "en": "New workplace", "easy": "{仕事|しごと}の{場所|ばしょ}が{変|か}わった" } },
                { "value": "other", "label": { "ja": "その他", "en": "Other", "easy": "そのほか" } }
              ] },
            { "type": "text", "key": "reasonOther", "required": true, "maxLength": 200,
              "showWhen": { "field": "reason", "equals": "other" },
              "label": { "ja": "その他の理由", "en": "Other reason", "easy": "そのほかの{理由|りゆう}" } }
          ]
        },
        {
          "key": "address",
          "title": { "ja": "住所", "en": "Address", "easy": "{住所|じゅうしょ}" },
          "items": [
            { "type": "static",
              "text": { "ja": "郵便番号を入力すると住所の一部を入力します。", "en": "Enter the postcode to fill in part of the address.", "easy": "{郵便番号|ゆうびんばんごう}を{入|い}れると{住所|じゅうしょ}が{出|で}ます。" } },
            { "type": "postcode", "key": "postcode", "required": true, "addressField": "address",
              "label": { "ja": "郵便番号", "en": "Postcode", "easy": "{郵便番号|ゆうびんばんごう}" } },
            { "type": "address", "key": "address", "required": true, "maxLength": 200,
              "label": { "ja": "住所", "en": "Address", "easy": "{住所|じゅうしょ}" },
              "help": { "ja": "番地・建物名・部屋番号まで入力してください。", "en": "Include the block number, building and room." } }
          ]
        },
        {
          "key": "family",
          "title": { "ja": "世帯の状況と書類", "en": "Household and documents", "easy": "{家族|かぞく}と{書類|しょるい}" },
          "items": [
            { "type": "group", "key": "family", "min": 1, "max": 8,
              "label": { "ja": "同居している家族", "en": "Family members living with you", "easy": "いっしょに{住|す}んでいる{家族|かぞく}" },
              "itemLabel": { "ja": "家族", "en": "Family member", "easy": "{家族|かぞく}" },
              "fields": [
                { "type": "name", "key": "memberName", "required": true, "kana": true,
                  "label": { "ja": "氏名", "en": "Name", "easy": "{名前|なまえ}" } },
                { "type": "select", "key": "memberRelation", "required": true,
                  "label": { "ja": "続柄", "en": "Relationship", "easy": "あなたとの{関係|かんけい}" },
                  "options": [
                    { "value": "child", "label": { "ja": "子", "en": "Child", "easy": "{子|こ}ども" } },
                    { "value": "spouse", "label": { "ja": "配偶者", "en": "Spouse", "easy": "{夫|おっと}・{妻|つま}" } },
                    { "value": "parent", "label": { "ja": "父母", "en": "Parent", "easy": "{父|ちち}・{母|はは}" } },
                    { "value": "other", "label": { "ja": "その他", "en": "Other", "easy": "そのほか" } }
                  ] },
                { "type": "date", "key": "memberBirthDate", "required": true,
                  "label": { "ja": "生年月日", "en": "Date of birth", "easy": "{生|う}まれた{日|ひ}" } }
              ] },
            { "type": "file", "key": "employmentCertificate", "required": true, "accept": ["pdf", "jpeg", "png"], "maxBytes": 5242880, "maxFiles": 2,
              "label": { "ja": "就労証明書", "en": "Certificate of employment", "easy": "{働|はたら}いていることがわかる{書類|しょるい}" },
              "help": { "ja": "PDF、JPEG、PNG（1ファイル5MBまで、2ファイルまで）", "en": "PDF, JPEG or PNG, up to 5 MB each, 2 files at most" } },
            { "type": "consent", "key": "consent",
              "label": { "ja": "確認事項", "en": "Declaration", "easy": "{確認|かくにん}" },
              "statement": { "ja": "記入した内容に誤りがないことを確認しました。", "en": "I confirm that the information above is correct.", "easy": "{書|か}いたことは{正|ただ}しいです。" } }
          ]
        }
      ]
    }
    """;

    private const string Juminhyo = """
    {
      "slug": "juminhyo-utsushi",
      "title": { "ja": "住民票の写しの交付申請（郵送）", "en": "Request a copy of the residence record (by post)", "easy": "{住民票|じゅうみんひょう}を{郵便|ゆうびん}で{受|う}け{取|と}る" },
      "draftExpiryDays": 7,
      "pages": [
        {
          "key": "request",
          "title": { "ja": "請求の内容", "en": "What you need" },
          "items": [
            { "type": "number", "key": "copies", "required": true, "min": 1, "max": 10, "unit": "通",
              "label": { "ja": "必要な通数", "en": "Number of copies", "easy": "{何枚|なんまい}いりますか" } },
            { "type": "checkbox", "key": "include", "required": false,
              "label": { "ja": "記載する事項", "en": "Details to include" },
              "options": [
                { "value": "household", "label": { "ja": "世帯主・続柄", "en": "Head of household and relationship" } },
                { "value": "domicile", "label": { "ja": "本籍・筆頭者", "en": "Registered domicile" } }
              ] },
            { "type": "select", "key": "purpose", "required": true,
              "label": { "ja": "使いみち", "en": "Purpose", "easy": "{何|なに}に{使|つか}いますか" },
              "options": [
                { "value": "work", "label": { "ja": "勤務先への提出", "en": "For an employer" } },
                { "value": "license", "label": { "ja": "免許・資格の手続", "en": "For a licence" } },
                { "value": "other", "label": { "ja": "その他", "en": "Other" } }
              ] },
            { "type": "text", "key": "purposeOther", "required": true, "maxLength": 100,
              "showWhen": { "field": "purpose", "equals": "other" },
              "label": { "ja": "その他の使いみち", "en": "Other purpose" } },
            { "type": "fee", "yen": 300, "per": "copies",
              "label": { "ja": "手数料", "en": "Fee (per copy)", "easy": "お{金|かね}" } }
          ]
        },
        {
          "key": "requester",
          "title": { "ja": "請求者", "en": "Requester" },
          "items": [
            { "type": "name", "key": "requesterName", "required": true,
              "label": { "ja": "氏名", "en": "Name", "easy": "{名前|なまえ}" } },
            { "type": "postcode", "key": "postcode", "required": true, "addressField": "address",
              "label": { "ja": "送付先の郵便番号", "en": "Postcode for delivery" } },
            { "type": "address", "key": "address", "required": true,
              "label": { "ja": "送付先の住所", "en": "Delivery address" } },
            { "type": "consent", "key": "consent",
              "label": { "ja": "確認事項", "en": "Declaration" },
              "statement": { "ja": "本人または同一世帯の者として請求します。", "en": "I request this as the person concerned or a member of the same household." } }
          ]
        }
      ]
    }
    """;

    private const string Riyousho = """
    {
      "slug": "riyousho-todoke",
      "title": { "ja": "理容所の届出", "en": "Barbershop notification" },
      "pages": [
        {
          "key": "business",
          "title": { "ja": "営業者", "en": "Operator" },
          "items": [
            { "type": "radio", "key": "operatorKind", "required": true,
              "label": { "ja": "営業者の区分", "en": "Type of operator" },
              "options": [
                { "value": "corporation", "label": { "ja": "法人", "en": "Corporation" } },
                { "value": "individual", "label": { "ja": "個人", "en": "Individual" } }
              ] },
            { "type": "corporate-number", "key": "corporateNumber", "required": true,
              "showWhen": { "field": "operatorKind", "equals": "corporation" },
              "label": { "ja": "法人番号", "en": "Corporate number" },
              "help": { "ja": "13桁の数字", "en": "13 digits" } },
            { "type": "text", "key": "operatorName", "required": true, "maxLength": 100, "autocomplete": "organization",
              "label": { "ja": "営業者の名称または氏名", "en": "Name of the operator" } },
            { "type": "phone", "key": "phone", "required": true,
              "label": { "ja": "電話番号", "en": "Phone number" } }
          ]
        },
        {
          "key": "shop",
          "title": { "ja": "理容所", "en": "Shop" },
          "items": [
            { "type": "text", "key": "shopName", "required": true, "maxLength": 100,
              "label": { "ja": "理容所の名称", "en": "Name of the shop" } },
            { "type": "number", "key": "chairs", "required": true, "min": 1, "max": 50, "unit": "台",
              "label": { "ja": "理容いすの数", "en": "Number of barber chairs" } },
            { "type": "long-text", "key": "notes", "required": false, "maxLength": 1000,
              "label": { "ja": "備考", "en": "Notes" } },
            { "type": "bank-account", "key": "refundAccount", "required": false,
              "label": { "ja": "還付金の振込先口座", "en": "Bank account for refunds" } },
            { "type": "consent", "key": "consent",
              "label": { "ja": "確認事項", "en": "Declaration" },
              "statement": { "ja": "構造設備が基準に適合していることを確認しました。", "en": "I confirm the premises meet the standards." } }
          ]
        }
      ]
    }
    """;
}
