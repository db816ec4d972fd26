using System.Text;
using Madoguchi.Web.Features.Webhooks;

namespace Madoguchi.Tests.Features.Webhooks;

/// <summary>The documented signature (docs/webhooks.md), checked against a vector computed outside .NET.</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"01964e0a","type":"case.created","data":{"status":"受付"}}""");
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1743465600);

    // python3: hmac.new(secret.encode(), b"1743465600." + body, hashlib.sha256).hexdigest()
    private const string Expected = "v1=8b18bb1ba2d9e97d8b7f772a0199bf6601cfefe61b28c2f89e4cabb52f620e1f";

    [Fact]
    public void The_signature_is_hmac_sha256_of_timestamp_dot_body_keyed_with_the_whole_secret()
        => Assert.Equal(Expected, WebhookSignature.Sign(Secret, 1743465600, Body));

    [Fact]
    public void Verification_accepts_five_minutes_either_way_and_rejects_a_replay_after_that()
    {
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(Secret, "1743465600", Expected, Body, SentAt));
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(Secret, "1743465600", Expected, Body, SentAt.AddMinutes(5)));
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(Secret, "1743465600", Expected, Body, SentAt.AddMinutes(-5)));
        Assert.Equal(WebhookVerification.OutsideTolerance, WebhookSignature.Verify(Secret, "1743465600", Expected, Body, SentAt.AddMinutes(5).AddSeconds(1)));
        Assert.Equal(WebhookVerification.OutsideTolerance, WebhookSignature.Verify(Secret, "1743465600", Expected, Body, SentAt.AddMinutes(-6)));
    }

    [Fact]
    public void A_changed_body_timestamp_or_secret_and_malformed_headers_are_rejected()
    {
        Assert.Equal(WebhookVerification.BadSignature, WebhookSignature.Verify(Secret, "1743465600", Expected, [.. Body, (byte)' '], SentAt));
        // The timestamp is signed: moving it forward to pass the window breaks the signature.
        Assert.Equal(WebhookVerification.BadSignature, WebhookSignature.Verify(Secret, "1743465700", Expected, Body, SentAt));
        Assert.Equal(WebhookVerification.BadSignature, WebhookSignature.Verify(Secret + "x", "1743465600", Expected, Body, SentAt));
        Assert.Equal(WebhookVerification.BadSignature, WebhookSignature.Verify(Secret, "1743465600", "v1=zz", Body, SentAt));
        Assert.Equal(WebhookVerification.Malformed, WebhookSignature.Verify(Secret, null, Expected, Body, SentAt));
        Assert.Equal(WebhookVerification.Malformed, WebhookSignature.Verify(Secret, "-1743465600", Expected, Body, SentAt));
        Assert.Equal(WebhookVerification.Malformed, WebhookSignature.Verify(Secret, "1743465600", Expected[3..], Body, SentAt));
        // Several signatures (a future secret rotation): any v1 that matches is enough.
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(Secret, "1743465600", "v1=00ff " + Expected, Body, SentAt));
    }

    [Fact]
    public void Backoff_doubles_from_a_minute_up_to_an_hour_within_ten_percent()
    {
        Assert.Equal(TimeSpan.FromMinutes(0.9), WebhookDispatcher.Backoff(1, 0));
        Assert.Equal(TimeSpan.FromMinutes(1.1), WebhookDispatcher.Backoff(1, 1));
        Assert.Equal(TimeSpan.FromMinutes(4), WebhookDispatcher.Backoff(3, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(32), WebhookDispatcher.Backoff(6, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(60), WebhookDispatcher.Backoff(7, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(66), WebhookDispatcher.Backoff(1000, 1));
    }
}
