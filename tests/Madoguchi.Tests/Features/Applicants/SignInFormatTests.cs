using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Forms;
using Madoguchi.Web.Features.Applicants;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Tests.Features.Applicants;

/// <summary>The form's signIn object: read strictly with paths and fixes, written back in the canonical JSON.</summary>
public sealed class SignInFormatTests
{
    private static JsonObject WithSignIn(JsonNode signIn)
    {
        var form = JsonNode.Parse(FormParserTests.Minimal)!.AsObject();
        var items = form["pages"]![0]!["items"]!.AsArray();
        items.Add(new JsonObject { ["type"] = "name", ["key"] = "applicantName", ["label"] = new JsonObject { ["ja"] = "氏名" } });
        items.Add(new JsonObject { ["type"] = "address", ["key"] = "address", ["label"] = new JsonObject { ["ja"] = "住所" } });
        form["signIn"] = signIn;
        return form;
    }

    [Fact]
    public void A_valid_signIn_is_read_and_written_back_the_same()
    {
        var json = WithSignIn(JsonNode.Parse("""{ "mode": "required", "prefill": { "applicantName": "name", "address": "address" }, "locked": ["applicantName"] }""")!).ToJsonString();

        var parsed = FormParser.Parse(json, procedureUsesMyNumber: false);

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var signIn = parsed.Definition!.SignIn!;
        Assert.Equal(SignInMode.Required, signIn.Mode);
        Assert.Equal("address", signIn.ClaimFor("address"));
        Assert.Equal(["applicantName"], signIn.Locked);
        var written = FormJson.Write(parsed.Definition);
        Assert.Contains("\"signIn\"", written);
        var again = FormParser.Parse(written, false).Definition!;
        Assert.Equal(written, FormJson.Write(again));
    }

    [Fact]
    public void A_form_without_signIn_writes_none()
    {
        var parsed = FormParser.Parse(FormParserTests.Minimal, false);

        Assert.Null(parsed.Definition!.SignIn);
        Assert.DoesNotContain("signIn", FormJson.Write(parsed.Definition));
    }

    [Theory]
    [InlineData("""{ "mode": "always" }""", "$.signIn.mode", "\"optional\"")]
    [InlineData("""{ "mode": "optional", "prefill": { "nobody": "name" } }""", "$.signIn.prefill.nobody", "このフォームにありません")]
    [InlineData("""{ "mode": "optional", "prefill": { "address": "birthdate" } }""", "$.signIn.prefill.address", "使えるクレームは address")]
    [InlineData("""{ "mode": "optional", "prefill": { "kind": "name" } }""", "$.signIn.prefill.kind", "事前入力できません")]
    [InlineData("""{ "mode": "optional", "prefill": { "memberName": "name" } }""", "$.signIn.prefill.memberName", "グループの中の項目は使えません")]
    [InlineData("""{ "mode": "optional", "prefill": { "address": "address" }, "locked": ["applicantName"] }""", "$.signIn.locked[0]", "prefill にない項目")]
    [InlineData("""{ "mode": "optional", "lock": true }""", "$.signIn.lock", "使えるのは mode、prefill、locked")]
    public void A_bad_signIn_is_refused_with_its_path_and_how_to_fix_it(string signIn, string path, string message)
    {
        var parsed = FormParser.Parse(WithSignIn(JsonNode.Parse(signIn)!).ToJsonString(), false);

        Assert.False(parsed.IsValid);
        var error = Assert.Single(parsed.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }
}
