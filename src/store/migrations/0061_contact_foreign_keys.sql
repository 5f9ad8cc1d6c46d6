-- A clients file adds a contact and a number per row. Each row paid one foreign-key trigger per
-- reference: five (the contact's campaign and tenant; the number's campaign, tenant and contact),
-- half of PostgreSQL's work on an import. Every row of a batch names the same campaign and tenant,
-- and a number's campaign and tenant are its contact's, so two composite references say the same
-- — and more: a number can no longer point at another campaign's contact, nor a row at a campaign
-- of another tenant. Deleting a tenant or a campaign still removes its contacts and numbers
-- (tenants → campaigns → contacts → numbers, each ON DELETE CASCADE).
CREATE UNIQUE INDEX campaigns_id_tenant_key ON campaigns (id, tenant_id);
CREATE UNIQUE INDEX campaign_contacts_id_campaign_tenant_key ON campaign_contacts (id, campaign_id, tenant_id);

ALTER TABLE campaign_contacts
  DROP CONSTRAINT campaign_contacts_campaign_id_fkey,
  DROP CONSTRAINT campaign_contacts_tenant_id_fkey,
  ADD CONSTRAINT campaign_contacts_campaign_fkey FOREIGN KEY (campaign_id, tenant_id)
    REFERENCES campaigns (id, tenant_id) ON DELETE CASCADE;

ALTER TABLE campaign_numbers
  DROP CONSTRAINT campaign_numbers_campaign_id_fkey,
  DROP CONSTRAINT campaign_numbers_tenant_id_fkey,
  DROP CONSTRAINT campaign_numbers_contact_id_fkey,
  ADD CONSTRAINT campaign_numbers_contact_fkey FOREIGN KEY (contact_id, campaign_id, tenant_id)
    REFERENCES campaign_contacts (id, campaign_id, tenant_id) ON DELETE CASCADE;
