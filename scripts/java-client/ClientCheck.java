// A bureau system's first use of the generated Java client (scripts/serve-openapi): one claim,
// a batch, a what-if run, a problem, the rules and the health check, against a running
// `subsidy serve`. Exits non-zero on the first answer that is not the expected one.

import cn.skillsubsidy.client.ApiClient;
import cn.skillsubsidy.client.ApiException;
import cn.skillsubsidy.client.api.ClaimsApi;
import cn.skillsubsidy.client.api.RulesApi;
import cn.skillsubsidy.client.api.ServiceApi;
import cn.skillsubsidy.client.model.AssessmentRecord;
import cn.skillsubsidy.client.model.BatchRequest;
import cn.skillsubsidy.client.model.BatchResponse;
import cn.skillsubsidy.client.model.Claim;
import cn.skillsubsidy.client.model.Problem;
import cn.skillsubsidy.client.model.Status;
import cn.skillsubsidy.client.model.WhatIfRequest;
import cn.skillsubsidy.client.model.WhatIfResponse;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

public class ClientCheck {
    static void expect(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
        System.out.println("ok: " + what);
    }

    static Claim welder(String id, String person) {
        // 焊工, senior worker (level 3), on the shortage list: 2000 × 1.30 = 2600, under the fee.
        return new Claim().claimId(id).program("skills_training").personId(person).occupation("6-18-02-04").level("3")
                .eventDate(LocalDate.parse("2021-08-02")).appliedOn(LocalDate.parse("2021-08-20"))
                .institution("WX-JG-001").feePaid("3000.00");
    }

    public static void main(String[] args) throws Exception {
        ApiClient client = new ApiClient();
        client.updateBaseUri(args[0]);
        ClaimsApi claims = new ClaimsApi(client);

        AssessmentRecord one = claims.assess(welder("C1", "P1"), null, null);
        expect(one.getStatus() == Status.APPROVED && one.getAmount().equals("2600.00"), "one claim: approved, 2600.00");
        expect(one.getTrace() != null && one.getTrace().getSteps().stream().anyMatch(s -> s.getStep().equals("shortage_uplift")),
                "its trace names the shortage uplift");

        // The same person, occupation and level twice: the second is refused (once per level, S9).
        BatchResponse batch = claims.assessBatch(new BatchRequest().claims(List.of(welder("C1", "P1"), welder("C2", "P1"))), null, null);
        expect(batch.getClaims().size() == 2, "a batch answers every claim");
        expect(batch.getClaims().get(1).getStatus() == Status.REJECTED && batch.getClaims().get(1).getReasons().contains("duplicate_level"),
                "the second claim of a level is rejected: duplicate_level");

        WhatIfResponse whatIf = claims.whatIf(new WhatIfRequest().overrides(Map.of("shortage.rate", "0.20")).claims(List.of(welder("C1", "P1"))), null, null);
        expect(whatIf.getVariant() != null && whatIf.getDifference() != null, "a what-if run gives the variant and the difference");

        try {
            claims.assess(welder("C3", "P3").program("space_training"), null, null);
            expect(false, "an unknown program is refused");
        } catch (ApiException e) {
            Problem problem = client.getObjectMapper().readValue(e.getResponseBody(), Problem.class);
            expect(e.getCode() == 422 && problem.getCode().equals("unknown_program"), "an unknown program is a 422 problem: unknown_program");
        }
        try {
            claims.assess(welder("C4", "P4").feePaid("-100"), null, null);
            expect(false, "a negative fee is refused");
        } catch (ApiException e) {
            Problem problem = client.getObjectMapper().readValue(e.getResponseBody(), Problem.class);
            expect(problem.getErrors().get(0).getCode().equals("negative_money") && problem.getErrors().get(0).getField().equals("fee_paid"),
                    "a negative fee is a field error: negative_money on fee_paid");
        }
        expect(new ServiceApi(client).health().getStatus().equals("ok"), "the service is healthy");
        expect(new RulesApi(client).getRules() != null, "the rules are served");
    }
}
