using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>Files attached inside repeatable groups (<c>group[i].field</c>) stay with their item.</summary>
public sealed partial class GroupFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Url = "/forms/group-files/members";

    private const string FormJson = """
    {
      "slug": "group-files",
      "title": { "ja": "グループの添付" },
      "pages": [
        { "key": "members", "title": { "ja": "家族" },
          "items": [
            { "type": "group", "key": "members", "min": 1, "max": 4, "label": { "ja": "家族" },
              "fields": [
                { "type": "text", "key": "name", "required": true, "label": { "ja": "氏名" } },
                { "type": "file", "key": "proof", "accept": ["pdf"], "label": { "ja": "証明書" } }
              ] }
          ] }
      ]
    }
    """;

    private static byte[] Pdf => "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();

    /// <summary>Posts the page as the browser would: every item's name, the count, the button pressed and optionally one file.</summary>
    private static async Task<string> PostAsync(HttpClient client, string[] names, string action, (int Item, string FileName)? file = null)
    {
        var page = await client.GetStringAsync(Url, Ct);
        using var content = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value)), "__RequestVerificationToken" },
            { new StringContent(action), "action" },
            { new StringContent(names.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), "members.count" },
        };
        for (var i = 0; i < names.Length; i++) content.Add(new StringContent(names[i]), $"members[{i}].name");
        if (file is { } f) content.Add(new ByteArrayContent(Pdf), $"members[{f.Item}].proof", f.FileName);
        var response = await client.PostAsync(Url, content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>File names listed under each item, in item order.</summary>
    private static List<string> FilesPerItem(string html) =>
        [.. Item().Split(html).Skip(1).Select(item => string.Join(",", FileName().Matches(item.Split("</fieldset>")[0]).Select(m => m.Groups[1].Value)))];

    [Fact]
    public async Task Removing_an_earlier_item_moves_later_items_files_with_them_and_drops_its_own()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, FormJson);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, "/forms/group-files", []);
        string[] names = ["一郎", "二郎", "三郎"];
        await PostAsync(client, ["一郎"], "add:members");
        await PostAsync(client, ["一郎", "二郎"], "add:members");
        await PostAsync(client, names, "upload", (0, "一郎.pdf"));
        await PostAsync(client, names, "upload", (1, "二郎.pdf"));
        var before = await PostAsync(client, names, "upload", (2, "三郎.pdf"));
        Assert.Equal(["一郎.pdf", "二郎.pdf", "三郎.pdf"], FilesPerItem(before));

        var after = await PostAsync(client, names, "remove:members:0");

        Assert.Equal(["二郎.pdf", "三郎.pdf"], FilesPerItem(after));
        Assert.Matches("name=\"members\\[0\\]\\.name\"[^>]*value=\"二郎\"", after);
        // The next save (any button) rebuilds the answers from the stored files: they must still match.
        var again = await PostAsync(client, ["二郎", "三郎"], "upload");
        Assert.Equal(["二郎.pdf", "三郎.pdf"], FilesPerItem(again));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var attachments = await db.Attachments.OrderBy(a => a.FieldKey).ToListAsync(Ct);
        Assert.Equal([("members[0].proof", "二郎.pdf"), ("members[1].proof", "三郎.pdf")], attachments.Select(a => (a.FieldKey, a.OriginalName)));
        var draft = await db.Drafts.SingleAsync(Ct);
        var members = JsonNode.Parse(draft.AnswersJson)!["members"]!.AsArray();
        Assert.Equal(attachments[0].Id.ToString(), members[0]!["proof"]![0]!.GetValue<string>());
        Assert.Equal(attachments[1].Id.ToString(), members[1]!["proof"]![0]!.GetValue<string>());
    }

    [GeneratedRegex("data-testid=\"group-item\"")]
    private static partial Regex Item();

    [GeneratedRegex("<li><span>([^<]+)</span>")]
    private static partial Regex FileName();
}
