using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>A procedure of its own department with a published form, and staff keying paper applications through the pages.</summary>
public static class KeyingKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Saves the department and a procedure of it, publishes the form for it, returns the procedure's id.</summary>
    public static async Task<Guid> PublishAsync(MadoguchiFactory app, Department department, string json = SubmissionKit.FormJson, string code = "KT-K0001")
    {
        var procedure = Builders.Procedure(code, department, p => p.Name = "子育て支援の申請");
        await app.SaveAsync(department, procedure);
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(json, code, "test", Ct);
        await forms.PublishAsync(JsonNode.Parse(json)!["slug"]!.GetValue<string>(), "test", Ct);
        return procedure.Id;
    }

    /// <summary>Posts the start page; returns the first page of the keyed draft it redirects to.</summary>
    public static async Task<string> StartAsync(HttpClient staff, Guid procedureId, string slug, string channel, string? receivedOn = null)
    {
        var fields = new Dictionary<string, string> { ["Input.Form"] = slug, ["Input.Channel"] = channel };
        if (receivedOn is not null) fields["Input.ReceivedOn"] = receivedOn;
        var response = await MadoguchiFactory.PostFormAsync(staff, $"/staff/ledger/{procedureId}/new", fields);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith($"/staff/ledger/{procedureId}/new/", location);
        return location;
    }

    /// <summary>Posts a page of the form (as a browser without JavaScript would) and returns the response.</summary>
    public static Task<HttpResponseMessage> PostPageAsync(HttpClient staff, string url, Dictionary<string, string> fields)
        => MadoguchiFactory.PostFormAsync(staff, url, fields);

    /// <summary>The kosodate form's applicant page, as written on the paper form.</summary>
    public static Dictionary<string, string> Applicant(string family = "山田", string birthDate = "平成2年4月1日") => new()
    {
        ["applicantName.family"] = family,
        ["applicantName.given"] = "花子",
        ["applicantName.familyKana"] = "やまだ",
        ["applicantName.givenKana"] = "ハナコ",
        ["birthDate"] = birthDate,
        ["reason"] = "work",
        ["action"] = "next",
    };

    public static Dictionary<string, string> Family() => new()
    {
        ["children.count"] = "1",
        ["children[0].childName"] = "山田 太郎",
        ["children[0].childBirthDate"] = "R5.6.1",
        ["consent"] = "true",
        ["action"] = "next",
    };

    /// <summary>Keys a whole kosodate application and submits it; returns the check page's response (the receipt).</summary>
    public static async Task<HttpResponseMessage> KeyKosodateAsync(HttpClient staff, Guid procedureId, string channel, string? receivedOn = null)
    {
        var first = await StartAsync(staff, procedureId, SubmissionKit.Slug, channel, receivedOn);
        var toFamily = await PostPageAsync(staff, first, Applicant());
        Assert.Equal(HttpStatusCode.Redirect, toFamily.StatusCode);
        var toCheck = await PostPageAsync(staff, toFamily.Headers.Location!.OriginalString, Family());
        Assert.Equal(HttpStatusCode.Redirect, toCheck.StatusCode);
        var check = toCheck.Headers.Location!.OriginalString;
        Assert.EndsWith("/check", check);
        return await PostPageAsync(staff, check, []);
    }
}
