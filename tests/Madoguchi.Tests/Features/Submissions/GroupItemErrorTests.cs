using System.Net;
using Madoguchi.Tests.Infrastructure;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>An error in a repeated item lands on the item the resident sees, even when an earlier item is left empty.</summary>
public sealed class GroupItemErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    [Fact]
    public async Task A_bad_date_in_the_second_item_is_marked_and_named_on_the_second_item_with_the_first_left_empty()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);

        var response = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", new()
        {
            ["children.count"] = "2",
            ["children[1].childName"] = "山田 次郎",
            ["children[1].childBirthDate"] = "2025-13-40",
            ["consent"] = "true",
            ["action"] = "next",
        });

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
        Assert.Matches("href=\"#f-children-1--childBirthDate\">＊お子さん 2 生年月日: ", html);
        Assert.Matches("id=\"f-children-1--childBirthDate\"[^>]*aria-invalid=\"true\"", html);
        Assert.DoesNotMatch("id=\"f-children-0--childBirthDate\"[^>]*aria-invalid=\"true\"", html);

        // The check page names the person as the family page numbers them and links to that item.
        var check = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/check", Ct));
        Assert.Contains($"href=\"{Base}/family#f-children-1--childBirthDate\"", check, StringComparison.Ordinal);
        Assert.Contains("<dt>お子さん 2: お名前</dt>", check, StringComparison.Ordinal);
        Assert.DoesNotContain("お子さん 1: お名前", check, StringComparison.Ordinal);
    }
}
