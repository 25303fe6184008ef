/**
 * SES (v2), for the app's e-mail: the environment's domain identity (DKIM and a MAIL FROM subdomain, whose DNS
 * records edge.ts lets the deploy role write) and its configuration sets `<application>-<environment>-*` with
 * their event destinations. The task role sends only from the environment's domain (ses:FromAddress), a grant
 * the construct that owns the identity gives.
 */
import { arn, type AccessScope, type ServiceAccess } from "./types";

export const environmentEmail = (s: AccessScope): string[] => [
  arn(s, "ses", `identity/${s.domain}`),
  arn(s, "ses", `configuration-set/${s.prefix}-*`),
];

const TAGS = { write: ["ses:TagResource", "ses:UntagResource"], read: ["ses:ListTagsForResource"] };

export const EMAIL: ServiceAccess = {
  services: ["ses"],
  grants: [
    {
      sid: "EnvironmentEmailIdentityAndConfigurationSets",
      resources: environmentEmail,
      terraform: {
        aws_sesv2_email_identity: {
          write: [
            "ses:CreateEmailIdentity",
            "ses:PutEmailIdentityDkimAttributes",
            "ses:PutEmailIdentityDkimSigningAttributes",
            "ses:PutEmailIdentityConfigurationSetAttributes",
            "ses:DeleteEmailIdentity",
            ...TAGS.write,
          ],
          read: ["ses:GetEmailIdentity", ...TAGS.read],
        },
        aws_sesv2_email_identity_mail_from_attributes: {
          write: ["ses:PutEmailIdentityMailFromAttributes"],
          read: ["ses:GetEmailIdentity"],
        },
        aws_sesv2_email_identity_feedback_attributes: {
          write: ["ses:PutEmailIdentityFeedbackAttributes"],
          read: ["ses:GetEmailIdentity"],
        },
        aws_sesv2_configuration_set: {
          write: [
            "ses:CreateConfigurationSet",
            "ses:PutConfigurationSetDeliveryOptions",
            "ses:PutConfigurationSetReputationOptions",
            "ses:PutConfigurationSetSendingOptions",
            "ses:PutConfigurationSetSuppressionOptions",
            "ses:PutConfigurationSetTrackingOptions",
            "ses:DeleteConfigurationSet",
            ...TAGS.write,
          ],
          read: ["ses:GetConfigurationSet", ...TAGS.read],
        },
        aws_sesv2_configuration_set_event_destination: {
          write: [
            "ses:CreateConfigurationSetEventDestination",
            "ses:UpdateConfigurationSetEventDestination",
            "ses:DeleteConfigurationSetEventDestination",
          ],
          read: ["ses:GetConfigurationSetEventDestinations"],
        },
      },
    },
  ],
  boundary: { named: environmentEmail },
};
