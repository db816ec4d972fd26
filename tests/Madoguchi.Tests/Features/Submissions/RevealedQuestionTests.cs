using System.Net;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>A question that an answer brings up is shown with a notice first, not flagged as an error before it was seen.</summary>
public sealed class RevealedQuestionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    private static Dictionary<string, string> Applicant(string? reasonOther = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["birthDate"] = "平成2年4月1日",
            ["reason"] = "other",
            ["action"] = "next",
        };
        if (reasonOther is not null) fields["reasonOther"] = reasonOther;
        return fields;
    }

    [Fact]
    public async Task Choosing_other_shows_the_new_question_with_a_polite_notice_and_still_needs_it_before_moving_on()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);

        var first = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var html = WebUtility.HtmlDecode(await first.Content.ReadAsStringAsync(Ct));
        Assert.Contains("回答に合わせて、質問が加わりました", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#f-reasonOther\">その他の理由</a>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"f-reasonOther\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("dads-error-summary", html, StringComparison.Ordinal);
        Assert.DoesNotContain("＊その他の理由", html, StringComparison.Ordinal);
        Assert.DoesNotContain("aria-invalid=\"true\"", html, StringComparison.Ordinal);

        // Seen now: left empty, it is an error like any other and the page does not move on.
        var second = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("＊その他の理由: 入力してください。", WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        var answered = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant("引っ越し"));
        Assert.Equal($"{Base}/family", answered.Headers.Location?.OriginalString);
    }

    private const string GroupForm = """
    {
      "slug": "kazoku-test",
      "title": { "ja": "家族の届出（テスト）" },
      "pages": [
        { "key": "family", "title": { "ja": "家族" },
          "items": [
            { "type": "group", "key": "members", "min": 1, "max": 3, "label": { "ja": "家族" }, "itemLabel": { "ja": "家族", "en": "Member" },
              "fields": [
                { "type": "text", "key": "memberName", "required": true, "maxLength": 40, "label": { "ja": "お名前" } },
                { "type": "radio", "key": "relation", "required": true, "label": { "ja": "続柄" },
                  "options": [ { "value": "child", "label": { "ja": "子" } }, { "value": "other", "label": { "ja": "その他" } } ] },
                { "type": "text", "key": "relationOther", "required": true, "maxLength": 20, "showWhen": { "field": "relation", "equals": "other" },
                  "label": { "ja": "その他の続柄" } }
              ] }
          ] }
      ]
    }
    """;

    private static Dictionary<string, string> Members(params (string Name, string Relation, string? Other)[] members)
    {
        var fields = new Dictionary<string, string> { ["members.count"] = members.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ["action"] = "next" };
        foreach (var (m, i) in members.Select((m, i) => (m, i)))
        {
            fields[$"members[{i}].memberName"] = m.Name;
            fields[$"members[{i}].relation"] = m.Relation;
            if (m.Other is not null) fields[$"members[{i}].relationOther"] = m.Other;
        }
        return fields;
    }

    [Fact]
    public async Task In_a_repeated_item_a_question_its_own_answer_brings_up_appears_for_that_item_only_with_the_notice()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, GroupForm);
        var client = app.CreatePlainClient();
        const string form = "/forms/kazoku-test";
        await MadoguchiFactory.PostFormAsync(client, form, []);

        // Drawn before any answer: the item's conditional question is there for the browser to show when その他
        // is chosen, hidden until then (and without JavaScript, until the page is sent).
        var empty = WebUtility.HtmlDecode(await client.GetStringAsync($"{form}/family", Ct));
        Assert.Contains("name=\"members[0].relation\"", empty, StringComparison.Ordinal);
        Assert.Matches("<div class=\"fill-conditional\" data-show-field=\"members\\[0\\]\\.relation\" data-show-op=\"in\" data-show-values=\"\\[&quot;other&quot;\\]\" hidden=\"hidden\">(?:(?!fill-conditional)[\\s\\S])*?id=\"f-members-0--relationOther\"", await client.GetStringAsync($"{form}/family", Ct));

        // 家族 2 chooses その他: its question appears with the notice naming the item, not as an error.
        var first = await MadoguchiFactory.PostFormAsync(client, $"{form}/family", Members(("山田 太郎", "child", null), ("山田 次郎", "other", null)));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var html = WebUtility.HtmlDecode(await first.Content.ReadAsStringAsync(Ct));
        Assert.Contains("回答に合わせて、質問が加わりました", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#f-members-1--relationOther\">家族 2: その他の続柄</a>", html, StringComparison.Ordinal);
        // Shown for 家族 2, still hidden for 家族 1.
        Assert.Matches("data-show-field=\"members\\[1\\]\\.relation\"[^>]*>(?:(?!fill-conditional)[\\s\\S])*?id=\"f-members-1--relationOther\"", html);
        Assert.Matches("data-show-field=\"members\\[0\\]\\.relation\"[^>]*hidden=\"hidden\">", html);
        Assert.DoesNotMatch("data-show-field=\"members\\[1\\]\\.relation\"[^>]*hidden", html);
        Assert.DoesNotContain("dads-error-summary", html, StringComparison.Ordinal);
        Assert.DoesNotContain("aria-invalid=\"true\"", html, StringComparison.Ordinal);

        // Seen now: left empty it is an error for that item; answered, the page moves on.
        var second = await MadoguchiFactory.PostFormAsync(client, $"{form}/family", Members(("山田 太郎", "child", null), ("山田 次郎", "other", null)));
        Assert.Contains("dads-error-summary", WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var answered = await MadoguchiFactory.PostFormAsync(client, $"{form}/family", Members(("山田 太郎", "child", null), ("山田 次郎", "other", "甥")));
        Assert.Equal($"{form}/check", answered.Headers.Location?.OriginalString);
    }
}
